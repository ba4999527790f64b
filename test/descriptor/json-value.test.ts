import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalJsonOf } from "../../lib/descriptor/canonical-json.js";
import { InvalidJsonError } from "../../lib/descriptor/invalid-json-error.js";
import { InvalidLimitsError } from "../../lib/descriptor/invalid-limits-error.js";
import { DEFAULT_JSON_LIMITS, assertJsonValue } from "../../lib/descriptor/json-value.js";
import type { JsonValue } from "../../lib/descriptor/json-value.js";
import { HakubanError } from "../../lib/errors/hakuban-error.js";

function failure(value: unknown, limits?: Parameters<typeof assertJsonValue>[1], path?: string): InvalidJsonError {
  try {
    assertJsonValue(value, limits, path);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidJsonError);
    return error as InvalidJsonError;
  }
  throw new Error("expected assertJsonValue to throw");
}

function nested(depth: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

class Point {
  constructor(readonly x: number) {}
}

describe("assertJsonValue", () => {
  it("accepts JSON values, including null-prototype objects", () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = [1, "two", true, null, { n: -0 }];
    for (const value of [null, true, false, 0, -1.5, "", "text", [], {}, bare, [[[]]], { a: { b: {} } }]) {
      expect(() => assertJsonValue(value)).not.toThrow();
    }
  });

  it("rejects each non-JSON kind with its exact path and a hint", () => {
    const sparse = [1, 2];
    sparse[3] = 4;
    const cases: [unknown, string, RegExp][] = [
      [{ a: [0, 1, undefined] }, "$.a[2]", /undefined is not a JSON value \(use null\)/],
      [{ f: () => 1 }, "$.f", /a function is not a JSON value/],
      [[Symbol("s")], "$[0]", /a symbol is not a JSON value/],
      [{ n: NaN }, "$.n", /NaN is not a JSON value/],
      [{ n: [Infinity] }, "$.n[0]", /Infinity is not a JSON value/],
      [{ n: -Infinity }, "$.n", /-Infinity is not a JSON value/],
      [{ big: 10n }, "$.big", /a BigInt is not a JSON value/],
      [{ when: new Date(0) }, "$.when", /a Date is not a JSON value/],
      [{ m: new Map() }, "$.m", /a Map is not a JSON value/],
      [{ s: new Set() }, "$.s", /a Set is not a JSON value/],
      [{ bytes: new Uint8Array(2) }, "$.bytes", /a Uint8Array is not a JSON value/],
      [{ p: new Point(1) }, "$.p", /a Point is not a JSON value/],
      [{ r: /x/ }, "$.r", /a RegExp is not a JSON value/],
      [{ boxed: new String("x") }, "$.boxed", /a String is not a JSON value/],
      [{ custom: Object.create({ inherited: 1 }) as object }, "$.custom", /an object with a custom prototype/],
      [{ list: sparse }, "$.list[2]", /a hole in a sparse array/],
      [{ "first name": [{ "": undefined }] }, '$["first name"][0][""]', /undefined/],
    ];
    for (const [value, path, problem] of cases) {
      const error = failure(value);
      expect(error.path).toBe(path);
      expect(error.problem).toMatch(problem);
      expect(error.message).toBe(`Not JSON at ${path}: ${error.problem}`);
      expect(error).toBeInstanceOf(HakubanError);
      expect(error.name).toBe("InvalidJsonError");
    }
  });

  it("ignores symbol-keyed properties, as JSON.stringify does (they never travel)", () => {
    expect(() => assertJsonValue({ o: { [Symbol("k")]: () => 1, a: 1 } })).not.toThrow();
  });

  it("rejects array subclasses", () => {
    class List extends Array<number> {}
    expect(failure({ l: List.from([1]) }).problem).toMatch(/a List is not a JSON value/);
  });

  it("names a cycle and the ancestor it returns to", () => {
    const root: Record<string, unknown> = { a: { b: [1] } };
    const a = root.a as { b: unknown[] };
    a.b.push(a);
    const error = failure(root);
    expect(error.path).toBe("$.a.b[1]");
    expect(error.problem).toMatch(/a cycle: this is the same object as \$\.a /);
    const self: unknown[] = [];
    self.push(self);
    expect(failure(self).path).toBe("$[0]");
    expect(failure(self).problem).toMatch(/same object as \$ /);
  });

  it("allows shared, non-cyclic references", () => {
    const shared = { x: 1 };
    expect(() => assertJsonValue([shared, shared, { again: shared }])).not.toThrow();
  });

  it("uses the given root path", () => {
    expect(failure([undefined], undefined, "$.tags[1]").path).toBe("$.tags[1][0]");
  });

  it("limits nesting: 32 levels by default", () => {
    expect(DEFAULT_JSON_LIMITS).toEqual({ maxDepth: 32, maxLength: 16384 });
    expect(() => assertJsonValue(nested(32))).not.toThrow();
    const error = failure(nested(33));
    expect(error.path).toBe("$" + "[0]".repeat(32));
    expect(error.problem).toBe("nests deeper than 32 levels (limit maxDepth)");
    expect(() => assertJsonValue(nested(3), { maxDepth: 3 })).not.toThrow();
    expect(failure(nested(4), { maxDepth: 3 }).problem).toBe("nests deeper than 3 levels (limit maxDepth)");
    expect(() => assertJsonValue(nested(60), { maxDepth: 60 })).not.toThrow();
  });

  it("refuses hostile nesting without overflowing the stack", () => {
    const deep = nested(200_000);
    expect(failure(deep).problem).toMatch(/deeper than 32/);
    expect(failure(JSON.parse("[".repeat(100_000) + "]".repeat(100_000))).problem).toMatch(/deeper than 32/);
  });

  it("limits the canonical text length: 16 KiB by default", () => {
    expect(() => assertJsonValue("x".repeat(16382))).not.toThrow();
    expect(failure("x".repeat(16383)).problem).toBe(
      "makes the canonical JSON text longer than 16384 characters (limit maxLength)",
    );
    expect(() => assertJsonValue({ a: "xxxx" }, { maxLength: 12 })).not.toThrow();
    const error = failure({ a: "xxxx", b: 1 }, { maxLength: 12 });
    expect(error.path).toBe("$.b");
    expect(error.problem).toMatch(/longer than 12 characters \(limit maxLength\)/);
    expect(failure({ a: ["y".repeat(20)] }, { maxLength: 12 }).path).toBe("$.a[0]");
  });

  it("enforces maxLength exactly at the boundary, for containers and scalars", () => {
    const value = { a: "xxxxx" };
    expect(canonicalJson(value)).toHaveLength(13);
    for (const check of [(limit: number) => assertJsonValue(value, { maxLength: limit }), (limit: number) => canonicalJsonOf(value, { maxDepth: 32, maxLength: limit })]) {
      expect(() => check(13)).not.toThrow();
      expect(() => check(12)).toThrow(/limit maxLength/);
    }
    expect(failure(123456, { maxLength: 5 }).path).toBe("$");
    expect(failure([], { maxLength: 1 }).path).toBe("$");
    expect(() => assertJsonValue([[]], { maxLength: 4 })).not.toThrow();
    expect(() => assertJsonValue([[]], { maxLength: 3 })).toThrow(/limit maxLength/);
  });

  it("accepts exactly the values whose canonical text fits, like canonicalJsonOf", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 300 }), (value, maxLength) => {
        const fits = canonicalJson(value as JsonValue).length <= maxLength;
        const limits = { maxDepth: 1000, maxLength };
        let accepted = true;
        try {
          assertJsonValue(value, limits);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidJsonError);
          accepted = false;
        }
        expect(accepted).toBe(fits);
        if (fits) expect(canonicalJsonOf(value, limits)).toBe(canonicalJson(value as JsonValue));
        else expect(() => canonicalJsonOf(value, limits)).toThrow(/limit maxLength/);
      }),
      { numRuns: 300, seed: 99 },
    );
  });

  it("rejects the same inputs as canonicalJsonOf (each reports the first fault in its own walk order)", () => {
    const anything = fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true });
    fc.assert(
      fc.property(anything, (value) => {
        const outcome = (check: () => unknown) => {
          try {
            check();
            return "ok";
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidJsonError);
            return "rejected";
          }
        };
        const limits = { maxDepth: 32, maxLength: 1_000_000 };
        expect(outcome(() => assertJsonValue(value, limits))).toBe(outcome(() => canonicalJsonOf(value, limits)));
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it("counts length on the canonical text, not on the input's formatting", () => {
    expect(() => assertJsonValue({ b: 1, a: 2 }, { maxLength: '{"a":2,"b":1}'.length })).not.toThrow();
  });

  it("rejects unusable limits with a clear error", () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity]) {
      expect(() => assertJsonValue(1, { maxDepth: bad })).toThrow(InvalidLimitsError);
      expect(() => assertJsonValue(1, { maxLength: bad })).toThrow(/Limit maxLength must be a positive integer/);
    }
    expect(() => assertJsonValue(1, { maxDepth: 100_000 })).toThrow(/maxDepth must be at most 1000/);
  });
});
