import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalCopyOf, canonicalJson, canonicalJsonOf } from "../../lib/descriptor/canonical-json.js";
import { InvalidJsonError } from "../../lib/descriptor/invalid-json-error.js";
import type { JsonValue } from "../../lib/descriptor/json-value.js";

const LARGE = { maxDepth: 1000, maxLength: Number.MAX_SAFE_INTEGER };
const RUNS = { numRuns: 300, seed: 20240611 };

/**
 * Reference: JSON.stringify on the leaves, Array.prototype.sort on the keys. (Sorting the keys and then
 * stringifying whole objects would not do: JavaScript enumerates integer-like keys first.)
 */
function reference(value: unknown): string {
  if (Array.isArray(value)) return "[" + value.map(reference).join(",") + "]";
  if (typeof value === "object" && value !== null) {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object).sort();
    return "{" + keys.map((key) => JSON.stringify(key) + ":" + reference(object[key])).join(",") + "}";
  }
  return JSON.stringify(value);
}

describe("canonicalJson", () => {
  it("sorts keys at every level and prints no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 0, y: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":1,"z":0}]},"b":1}');
  });

  it("does not depend on key insertion order", () => {
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it("orders keys by UTF-16 code units, not by locale or numeric value", () => {
    expect(canonicalJson({ b: 0, B: 0, "10": 0, "9": 0, "\u00e9": 0, "\ud83d\ude00": 0, "\uffff": 0 })).toBe(
      '{"10":0,"9":0,"B":0,"b":0,"\u00e9":0,"\ud83d\ude00":0,"\uffff":0}',
    );
  });

  it("prints numbers like JSON.stringify, -0 as 0", () => {
    expect(canonicalJson([-0, 0, 1e21, 1.5e-7, -3, 0.1])).toBe("[0,0,1e+21,1.5e-7,-3,0.1]");
  });

  it("escapes strings like JSON.stringify, including lone surrogates and controls", () => {
    const value = ['a"b', "back\\slash", "\n\t\u0001", "\ud800", "ok", "\u2028"];
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it("matches the sort-then-stringify reference on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value as JsonValue)).toBe(reference(value));
        expect(canonicalJsonOf(value, LARGE)).toBe(reference(value));
      }),
      RUNS,
    );
  });

  it("parses back to the same value, so different values never share a text", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const textA = canonicalJson(a as JsonValue);
        const textB = canonicalJson(b as JsonValue);
        expect(canonicalJson(JSON.parse(textA) as JsonValue)).toBe(textA);
        expect(textA === textB).toBe(reference(a) === reference(b));
      }),
      RUNS,
    );
  });
});

describe("canonicalCopyOf", () => {
  it("returns the canonical text and a deep-frozen equal copy", () => {
    const input = { b: [1, { c: "x" }], a: -0 };
    const { text, value } = canonicalCopyOf(input, LARGE);
    expect(text).toBe('{"a":0,"b":[1,{"c":"x"}]}');
    expect(value).toEqual({ a: 0, b: [1, { c: "x" }] });
    expect(value).not.toBe(input);
    const copy = value as { a: number; b: [number, { c: string }] };
    expect(Object.is(copy.a, 0)).toBe(true);
    expect(Object.isFrozen(copy)).toBe(true);
    expect(Object.isFrozen(copy.b)).toBe(true);
    expect(Object.isFrozen(copy.b[1])).toBe(true);
    expect(Object.keys(copy)).toEqual(["a", "b"]);
  });

  it("copies arbitrary JSON faithfully", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = canonicalCopyOf(value, LARGE);
        expect(copy.text).toBe(reference(value));
        expect(reference(copy.value)).toBe(reference(value));
      }),
      RUNS,
    );
  });

  it("keeps __proto__ as a plain own key without touching prototypes", () => {
    const input = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as unknown;
    const { text, value } = canonicalCopyOf(input, LARGE);
    expect(text).toBe('{"__proto__":{"polluted":true},"a":1}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value as object)).toEqual(["__proto__", "a"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("names the path of a problem relative to the given root", () => {
    expect(() => canonicalCopyOf({ a: [0, undefined] }, LARGE, "$.json")).toThrow(
      new InvalidJsonError("$.json.a[1]", "undefined is not a JSON value (use null)"),
    );
  });
});
