import { describe, expect, it } from "vitest";
import { InvalidJsonError } from "../../lib/descriptor/invalid-json-error.js";
import type { JsonValue } from "../../lib/descriptor/json-value.js";
import { TagDescriptor } from "../../lib/descriptor/tag-descriptor.js";

describe("TagDescriptor", () => {
  it("has a canonical key independent of key order", () => {
    const a = new TagDescriptor({ a: 1, b: { d: 2, c: [3] } });
    const b = new TagDescriptor({ b: { c: [3], d: 2 }, a: 1 });
    expect(a.key).toBe('{"a":1,"b":{"c":[3],"d":2}}');
    expect(a.equals(b)).toBe(true);
    expect(b.equals(a)).toBe(true);
    expect(a.equals(new TagDescriptor({ a: 1 }))).toBe(false);
  });

  it("distinguishes values that only look alike", () => {
    const values: JsonValue[] = ["1", 1, [1], { "1": 1 }, null, "null", true, "true", [], {}, ""];
    const keys = values.map((json) => new TagDescriptor(json).key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("holds a deep-frozen private copy", () => {
    const input = { room: { name: "lobby", members: ["a"] } };
    const tag = new TagDescriptor(input);
    input.room.name = "changed";
    input.room.members.push("b");
    expect(tag.json).toEqual({ room: { name: "lobby", members: ["a"] } });
    expect(tag.key).toBe('{"room":{"members":["a"],"name":"lobby"}}');
    expect(Object.isFrozen(tag.json)).toBe(true);
    const room = (tag.json as { room: { members: string[] } }).room;
    expect(Object.isFrozen(room)).toBe(true);
    expect(() => room.members.push("c")).toThrow(TypeError);
  });

  it("serializes as its JSON", () => {
    const tag = new TagDescriptor({ b: 1, a: [true] });
    expect(tag.toJSON()).toBe(tag.json);
    expect(JSON.stringify({ tag })).toBe('{"tag":{"a":[true],"b":1}}');
  });

  it("prints a short form for logs", () => {
    expect(String(new TagDescriptor("chat"))).toBe('#"chat"');
    const long = String(new TagDescriptor("x".repeat(1000)));
    expect(long.length).toBeLessThanOrEqual(81);
    expect(long.endsWith("…")).toBe(true);
  });

  it("rejects non-JSON with the path, rooted where the caller says", () => {
    expect(() => new TagDescriptor({ id: [1, undefined] } as unknown as JsonValue)).toThrow(
      new InvalidJsonError("$.id[1]", "undefined is not a JSON value (use null)"),
    );
    expect(() => new TagDescriptor([new Date(0)] as unknown as JsonValue, undefined, "$.tags[2]")).toThrow(
      /Not JSON at \$\.tags\[2\]\[0\]: a Date/,
    );
  });

  it("applies default and custom limits", () => {
    expect(() => new TagDescriptor("x".repeat(20_000))).toThrow(/limit maxLength/);
    expect(() => new TagDescriptor({ a: [1] }, { maxDepth: 1 })).toThrow(/deeper than 1 levels/);
    expect(() => new TagDescriptor({ a: [1] }, { maxDepth: 2 })).not.toThrow();
    expect(() => new TagDescriptor("abc", { maxLength: 4 })).toThrow(/longer than 4/);
  });

  it("from() reuses descriptors and builds from JSON", () => {
    const tag = new TagDescriptor("t");
    expect(TagDescriptor.from(tag)).toBe(tag);
    expect(TagDescriptor.from({ b: 1, a: 2 }).key).toBe('{"a":2,"b":1}');
    expect(() => TagDescriptor.from([undefined] as unknown as JsonValue, undefined, "$.x")).toThrow(/at \$\.x\[0\]/);
  });
});
