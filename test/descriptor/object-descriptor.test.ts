import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../lib/descriptor/canonical-json.js";
import { InvalidDescriptorError } from "../../lib/descriptor/invalid-descriptor-error.js";
import { InvalidJsonError } from "../../lib/descriptor/invalid-json-error.js";
import type { JsonValue } from "../../lib/descriptor/json-value.js";
import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";
import { TagDescriptor } from "../../lib/descriptor/tag-descriptor.js";

const RUNS = { numRuns: 200, seed: 77 };
const LARGE = { maxLength: 10_000_000, maxTags: 1000 };

function nested(depth: number): JsonValue {
  let value: JsonValue = 0;
  for (let i = 0; i < depth; i++) value = { n: value };
  return value;
}

describe("ObjectDescriptor", () => {
  it("is equal under tag order, tag duplicates and key order", () => {
    const a = new ObjectDescriptor([{ a: 1, b: 2 }, "chat"], { id: 7, room: { x: 1, y: 2 } });
    const b = new ObjectDescriptor(["chat", { b: 2, a: 1 }, new TagDescriptor("chat")], { room: { y: 2, x: 1 }, id: 7 });
    expect(a.key).toBe(b.key);
    expect(a.equals(b)).toBe(true);
    expect(a.key).toBe('[["chat",{"a":1,"b":2}],{"id":7,"room":{"x":1,"y":2}}]');
  });

  it("deduplicates tags and sorts them by key", () => {
    const d = new ObjectDescriptor(["b", "a", { z: 1 }, "b", "a", { z: 1 }], null);
    expect(d.tags.map((tag) => tag.key)).toEqual(['"a"', '"b"', '{"z":1}']);
    expect(Object.isFrozen(d.tags)).toBe(true);
  });

  it("sorts and deduplicates like a reference, for few and for many tags", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 30 }), fc.string({ maxLength: 2 })), { maxLength: 60 }), (tags) => {
        const expected = [...new Set(tags.map((tag) => canonicalJson(tag)))].sort();
        expect(new ObjectDescriptor(tags, null, LARGE).tags.map((tag) => tag.key)).toEqual(expected);
      }),
      RUNS,
    );
  });

  it("accepts any iterable of tags, and no tags at all", () => {
    const fromSet = new ObjectDescriptor(new Set<JsonValue>(["x", "y"]), 1);
    const fromGenerator = new ObjectDescriptor(
      (function* () {
        yield "y";
        yield "x";
      })(),
      1,
    );
    expect(fromSet.equals(fromGenerator)).toBe(true);
    expect(new ObjectDescriptor([], { a: 1 }).key).toBe('[[],{"a":1}]');
  });

  it("tells apart tags from json, and different tag sets", () => {
    const keys = [
      new ObjectDescriptor([], ["a"]),
      new ObjectDescriptor(["a"], []),
      new ObjectDescriptor(["a"], null),
      new ObjectDescriptor([], null),
      new ObjectDescriptor(["a", "b"], null),
      new ObjectDescriptor([["a", "b"]], null),
    ].map((d) => d.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("has injective keys: equal keys exactly when tag sets and json are canonically equal", () => {
    const tagsArb = fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 });
    const canonicalSet = (tags: unknown[]) => [...new Set(tags.map((t) => canonicalJson(t as JsonValue)))].sort();
    fc.assert(
      fc.property(tagsArb, fc.jsonValue(), tagsArb, fc.jsonValue(), (tagsA, jsonA, tagsB, jsonB) => {
        const a = new ObjectDescriptor(tagsA as JsonValue[], jsonA as JsonValue, LARGE);
        const b = new ObjectDescriptor(tagsB as JsonValue[], jsonB as JsonValue, LARGE);
        const same =
          JSON.stringify(canonicalSet(tagsA)) === JSON.stringify(canonicalSet(tagsB)) &&
          canonicalJson(jsonA as JsonValue) === canonicalJson(jsonB as JsonValue);
        expect(a.equals(b)).toBe(same);
        const again = new ObjectDescriptor([...tagsA].reverse() as JsonValue[], JSON.parse(JSON.stringify(jsonA)) as JsonValue, LARGE);
        expect(again.key).toBe(a.key);
        expect(JSON.parse(a.key)).toEqual([a.tags.map((t) => t.json), a.json]);
      }),
      RUNS,
    );
  });

  it("holds deep-frozen private copies", () => {
    const tag = { room: "lobby" };
    const json = { id: [1, 2] };
    const d = new ObjectDescriptor([tag], json);
    tag.room = "other";
    json.id.push(3);
    expect(d.key).toBe('[[{"room":"lobby"}],{"id":[1,2]}]');
    expect(d.json).toEqual({ id: [1, 2] });
    expect(Object.isFrozen(d.json)).toBe(true);
    expect(Object.isFrozen((d.json as { id: number[] }).id)).toBe(true);
    expect(Object.isFrozen(d.tags[0]!.json)).toBe(true);
  });

  it("hasTag compares canonically", () => {
    const d = new ObjectDescriptor([{ a: 1, b: 2 }, "x"], 0);
    expect(d.hasTag(new TagDescriptor({ b: 2, a: 1 }))).toBe(true);
    expect(d.hasTag(new TagDescriptor("x"))).toBe(true);
    expect(d.hasTag(new TagDescriptor("y"))).toBe(false);
  });

  it("round-trips through its wire form", () => {
    const d = new ObjectDescriptor(["b", { t: [1] }], { z: null, a: "é\u2028" });
    const wire = JSON.parse(JSON.stringify(d)) as unknown;
    expect(wire).toEqual({ tags: ['b', { t: [1] }], json: { a: "é\u2028", z: null } });
    const back = ObjectDescriptor.fromJSON(wire);
    expect(back.equals(d)).toBe(true);
    expect(back.key).toBe(d.key);
  });

  it("prints a short form for logs", () => {
    expect(String(new ObjectDescriptor(["chat", { room: 1 }], { id: 7 }))).toBe('{"id":7} #"chat" #{"room":1}');
    expect(String(new ObjectDescriptor([], "y".repeat(500))).length).toBeLessThanOrEqual(80);
  });

  it("names the offending path inside tags and json", () => {
    expect(() => new ObjectDescriptor(["ok", { user: { id: [0, 1, 2, undefined] } }] as JsonValue[], null)).toThrow(
      new InvalidJsonError('$.tags[1].user.id[3]', "undefined is not a JSON value (use null)"),
    );
    expect(() => new ObjectDescriptor([], { items: [{ "a b": NaN }] })).toThrow(/^Not JSON at \$\.json\.items\[0\]\["a b"\]: NaN/);
  });

  it("rejects a string or a non-iterable as the tags argument", () => {
    expect(() => new ObjectDescriptor("chat" as unknown as JsonValue[], 1)).toThrow(InvalidDescriptorError);
    expect(() => new ObjectDescriptor("chat" as unknown as JsonValue[], 1)).toThrow(/got a string; wrap a single tag/);
    expect(() => new ObjectDescriptor(null as unknown as JsonValue[], 1)).toThrow(/tags must be an iterable/);
    expect(() => new ObjectDescriptor({ a: 1 } as unknown as JsonValue[], 1)).toThrow(/tags must be an iterable/);
  });

  it("limits the number of distinct tags: 64 by default", () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(new ObjectDescriptor(tags(64), null).tags).toHaveLength(64);
    expect(() => new ObjectDescriptor(tags(65), null)).toThrow(/65 distinct tags, more than 64 \(limit maxTags\)/);
    expect(new ObjectDescriptor([1, 1, 2, 2], null, { maxTags: 2 }).tags).toHaveLength(2);
    expect(() => new ObjectDescriptor([1, 2, 3], null, { maxTags: 2 })).toThrow(InvalidDescriptorError);
  });

  it("limits depth per value and length over the whole key", () => {
    expect(() => new ObjectDescriptor([], nested(32))).not.toThrow();
    expect(() => new ObjectDescriptor([], nested(33))).toThrow(/at \$\.json(\.n){32}: nests deeper than 32 levels/);
    expect(() => new ObjectDescriptor([nested(3)], null, { maxDepth: 2 })).toThrow(/at \$\.tags\[0\]\.n\.n:/);
    const half = "x".repeat(9000);
    expect(() => new TagDescriptor(half)).not.toThrow();
    expect(() => new ObjectDescriptor([half], half)).toThrow(InvalidDescriptorError);
    expect(() => new ObjectDescriptor([half], half)).toThrow(/canonical key has 18009 characters, more than 16384 \(limit maxLength\)/);
    expect(() => new ObjectDescriptor(["ab"], "cd", { maxLength: 13 })).not.toThrow();
    expect(() => new ObjectDescriptor(["ab"], "cd", { maxLength: 12 })).toThrow(/more than 12/);
  });
});

describe("ObjectDescriptor.fromJSON on hostile input", () => {
  it("rejects wrong shapes with InvalidDescriptorError", () => {
    const cases: [unknown, RegExp][] = [
      [null, /expected a plain object/],
      ["x", /expected a plain object .* got a string/],
      [[[], 1], /expected a plain object .* got an array/],
      [new Date(0), /expected a plain object/],
      [{ json: 1 }, /both "tags" and "json" are required/],
      [{ tags: [] }, /both "tags" and "json" are required/],
      [{ tags: {}, json: 1 }, /"tags" must be an array, got an object/],
      [{ tags: "a", json: 1 }, /"tags" must be an array, got a string/],
      [{ tags: [], json: 1, extra: 2 }, /unexpected field "extra"/],
      [{ tags: Array.from({ length: 65 }, () => 0), json: 1 }, /65 tags, more than 64 \(limit maxTags\)/],
      [{ tags: [new TagDescriptor("x")], json: 1 }, /tag 0 is a TagDescriptor instance/],
    ];
    for (const [wire, message] of cases) {
      expect(() => ObjectDescriptor.fromJSON(wire)).toThrow(InvalidDescriptorError);
      expect(() => ObjectDescriptor.fromJSON(wire)).toThrow(message);
    }
  });

  it("checks the tag count before looking at any tag", () => {
    let touched = false;
    const tags = [1, 2, 3];
    Object.defineProperty(tags, 0, {
      get() {
        touched = true;
        return 1;
      },
    });
    expect(() => ObjectDescriptor.fromJSON({ tags, json: 1 }, { maxTags: 2 })).toThrow(/limit maxTags/);
    expect(touched).toBe(false);
  });

  it("rejects non-JSON inside with InvalidJsonError and its path", () => {
    expect(() => ObjectDescriptor.fromJSON({ tags: [1, [undefined]], json: 1 })).toThrow(
      new InvalidJsonError("$.tags[1][0]", "undefined is not a JSON value (use null)"),
    );
    expect(() => ObjectDescriptor.fromJSON({ tags: [], json: { a: undefined } })).toThrow(/at \$\.json\.a:/);
  });

  it("refuses huge nesting without overflowing the stack", () => {
    const depth = 200_000;
    const text = `{"tags":[${"[".repeat(depth)}${"]".repeat(depth)}],"json":${"{\"a\":".repeat(depth)}1${"}".repeat(depth)}}`;
    const wire = JSON.parse(text) as unknown;
    expect(() => ObjectDescriptor.fromJSON(wire)).toThrow(/at \$\.tags\[0\](\[0\]){32}: nests deeper than 32 levels/);
    const onlyJson = JSON.parse(`{"tags":[],"json":${"{\"a\":".repeat(depth)}1${"}".repeat(depth)}}`) as unknown;
    expect(() => ObjectDescriptor.fromJSON(onlyJson)).toThrow(InvalidJsonError);
    expect(() => ObjectDescriptor.fromJSON(onlyJson, { maxDepth: 1000 })).toThrow(/deeper than 1000 levels/);
  });

  it("treats __proto__ and constructor as plain keys, polluting nothing", () => {
    const text = '{"tags":[{"__proto__":{"polluted":1}},{"constructor":{"prototype":{"polluted":2}}}],"json":{"__proto__":{"isAdmin":true},"a":1}}';
    const d = ObjectDescriptor.fromJSON(JSON.parse(text));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.getPrototypeOf(d.json)).toBe(Object.prototype);
    expect((d.json as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.keys(d.json as object)).toEqual(["__proto__", "a"]);
    expect(d.key).toBe('[[{"__proto__":{"polluted":1}},{"constructor":{"prototype":{"polluted":2}}}],{"__proto__":{"isAdmin":true},"a":1}]');
    expect(ObjectDescriptor.fromJSON(JSON.parse(JSON.stringify(d))).equals(d)).toBe(true);
  });

  it("ignores a polluted Object.prototype when reading the wire shape", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.tags = ["injected"];
    try {
      expect(() => ObjectDescriptor.fromJSON({ json: 1 })).toThrow(/both "tags" and "json" are required/);
    } finally {
      delete proto.tags;
    }
  });

  it("never throws anything but its typed errors on arbitrary input", () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }), fc.anything(), (tags, json) => {
        for (const wire of [{ tags, json }, { tags: [tags], json }, tags]) {
          try {
            ObjectDescriptor.fromJSON(wire);
          } catch (error) {
            expect(error instanceof InvalidDescriptorError || error instanceof InvalidJsonError).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });
});
