/**
 * Every field a peer sends is checked before the link looks at it, and a field that is not exactly what
 * it must be is refused (a TypeError naming the message and the field, which closes the link): the
 * checks of lib/sync/wire-schema.ts one by one, at their bounds, and the three forms of a state on the
 * wire with what each may and may not carry.
 */
import { describe, expect, it } from "vitest";
import { TagDescriptor } from "../../lib/descriptor/tag-descriptor.js";
import {
  amountField,
  booleanField,
  emptySchema,
  fieldsOf,
  idField,
  optionalEpochField,
  stringField,
  tagField,
} from "../../lib/sync/wire-schema.js";
import { wireStateSchema } from "../../lib/sync/wire-state.js";

/** What `check` throws for `value` in field `x`, or "ok" with the value it returned. */
function outcome<T>(check: (fields: Record<string, unknown>, name: string, message: string) => T, value: unknown): string {
  try {
    return `ok ${JSON.stringify(check({ x: value }, "x", "Msg"))}`;
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
}

describe("fields of link messages", () => {
  it("a payload must be an object: not null, not an array, not a primitive", () => {
    expect(fieldsOf({ a: 1 }, "Msg")).toEqual({ a: 1 });
    for (const value of [null, undefined, [], [1], "text", 7, true]) {
      expect(() => fieldsOf(value, "Msg"), JSON.stringify(value)).toThrow(new TypeError("Msg must be an object"));
    }
    expect(() => emptySchema("Ping").parse([])).toThrow("Ping must be an object");
    expect(emptySchema("Ping").parse({ extra: 1 })).toEqual({});
  });

  it("a boolean is true or false, nothing that merely converts to one", () => {
    expect(outcome(booleanField, true)).toBe("ok true");
    expect(outcome(booleanField, false)).toBe("ok false");
    for (const value of [0, 1, "true", null, undefined]) expect(outcome(booleanField, value)).toBe("Msg.x must be a boolean");
  });

  it("a string is at most its maximum length, the maximum itself included", () => {
    const short = (fields: Record<string, unknown>, name: string, message: string) => stringField(fields, name, message, 3);
    expect(outcome(short, "abc")).toBe('ok "abc"');
    expect(outcome(short, "")).toBe('ok ""');
    expect(outcome(short, "abcd")).toBe("Msg.x must be a string of at most 3 characters");
    expect(outcome(short, 123)).toBe("Msg.x must be a string of at most 3 characters");
    expect(outcome(stringField, "a".repeat(1024))).toBe(`ok "${"a".repeat(1024)}"`);
    expect(outcome(stringField, "a".repeat(1025))).toBe("Msg.x must be a string of at most 1024 characters");
  });

  it("an amount is a finite number from 0 up", () => {
    for (const value of [0, 0.5, 3, 1e300]) expect(outcome(amountField, value)).toBe(`ok ${value}`);
    for (const value of [-1, -0.001, Number.NaN, Number.POSITIVE_INFINITY, "1", null]) {
      expect(outcome(amountField, value), String(value)).toBe("Msg.x must be a non-negative finite number");
    }
  });

  it("an id is a safe integer from 0 up", () => {
    for (const value of [0, 1, Number.MAX_SAFE_INTEGER]) expect(outcome(idField, value)).toBe(`ok ${value}`);
    for (const value of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, "2", undefined]) {
      expect(outcome(idField, value), String(value)).toBe("Msg.x must be a non-negative integer");
    }
  });

  it("an epoch is absent or an id", () => {
    expect(optionalEpochField({}, "e", "Msg")).toBeUndefined();
    expect(optionalEpochField({ e: 4 }, "e", "Msg")).toBe(4);
    expect(() => optionalEpochField({ e: -4 }, "e", "Msg")).toThrow("Msg.e must be a non-negative integer");
  });

  it("a tag is taken as it is when it already is one, and built from its JSON otherwise", () => {
    const tag = TagDescriptor.from("t");
    expect(tagField({ tag }, "tag")).toBe(tag);
    expect(tagField({ tag: "t" }, "tag").equals(tag)).toBe(true);
    expect(() => tagField({ tag: () => "t" }, "tag")).toThrow();
  });
});

describe("a state on the wire", () => {
  const parse = (value: unknown) => wireStateSchema.parse(value);

  it("comes in three forms: full (d), diff (p from b) and flag (neither), the epoch kept only when not 0", () => {
    expect(parse({ v: [1], s: true, d: { a: 1 } })).toEqual({ v: [1], s: true, d: { a: 1 } });
    expect(parse({ v: [2], s: true, b: [1], p: [{ op: "replace", path: "/a", value: 2 }] })).toEqual({
      v: [2],
      s: true,
      b: [1],
      p: [{ op: "replace", path: "/a", value: 2 }],
    });
    expect(parse({ v: [2], s: false })).toEqual({ v: [2], s: false });
    expect(parse({ v: [2], e: 0, s: false })).toEqual({ v: [2], s: false });
    expect(parse({ v: [2], e: 3, s: false })).toEqual({ v: [2], e: 3, s: false });
  });

  it("never carries data and a patch, a patch without its base, or a base without a patch", () => {
    expect(() => parse({ v: [2], s: true, d: 1, p: [] })).toThrow("State has both data and a patch");
    expect(() => parse({ v: [2], s: true, d: 1, b: [1] })).toThrow("State has both data and a patch");
    expect(() => parse({ v: [2], s: true, p: [] })).toThrow("State.p needs the base version State.b");
    expect(() => parse({ v: [2], s: true, b: [1] })).toThrow("State.b without a patch");
    expect(() => parse({ v: [2], s: "yes" })).toThrow("State.s must be a boolean");
    expect(() => parse({ v: [2], e: -1, s: true })).toThrow("State.e must be a non-negative integer");
    expect(() => parse([{ v: [2], s: true }])).toThrow("State must be an object");
  });

  it("names its format only when it is not the default: 1 to 8 names of at most 64 characters", () => {
    const eight = Array.from({ length: 8 }, (_, i) => `f${i}`);
    expect(parse({ v: [1], s: true, f: ["gzip", "JSON"], d: 1 })).toEqual({ v: [1], s: true, f: ["gzip", "JSON"], d: 1 });
    expect(parse({ v: [1], s: true, f: eight })).toEqual({ v: [1], s: true, f: eight });
    expect(parse({ v: [2], s: true, f: ["x".repeat(64)], b: [1], p: [] })).toEqual({ v: [2], s: true, f: ["x".repeat(64)], b: [1], p: [] });
    for (const f of [[], [...eight, "f8"], ["x".repeat(65)], [1], "JSON", null]) {
      expect(() => parse({ v: [1], s: true, f, d: 1 }), JSON.stringify(f)).toThrow("State.f must be a list of 1 to 8 format names");
    }
  });
});
