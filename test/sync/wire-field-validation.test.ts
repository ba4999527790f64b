/**
 * Every field a peer sends is checked before the link looks at it, and a field that is not exactly what
 * it must be is refused (a TypeError naming the message and the field, which closes the link): the
 * checks of lib/sync/wire-schema.ts one by one, at their bounds, and a state on the wire, which must be
 * bytes (test/sync/wire/ checks what they may say).
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
  optionalFormatsField,
  stringField,
  tagField,
} from "../../lib/sync/wire-schema.js";
import { wireStateSchema } from "../../lib/sync/wire-state.js";
import { Hello, Welcome } from "../../lib/sync/messages.js";

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

  it("the formats a side can patch are absent, or at most 64 names of 1 to 64 characters; Hello and Welcome carry them", () => {
    expect(outcome(optionalFormatsField, undefined)).toBe("ok undefined");
    expect(outcome(optionalFormatsField, [])).toBe("ok []");
    const most = Array.from({ length: 64 }, (_, i) => `${i}`.padEnd(64, "x"));
    expect(outcome(optionalFormatsField, most)).toBe(`ok ${JSON.stringify(most)}`);
    expect(outcome(optionalFormatsField, [...most, "one more"])).toBe("Msg.x must be an array of at most 64 format names");
    expect(outcome(optionalFormatsField, "msgpack")).toBe("Msg.x must be an array of at most 64 format names");
    for (const name of ["", "x".repeat(65), 7, null]) {
      expect(outcome(optionalFormatsField, ["msgpack", name]), String(name)).toBe("Msg.x must hold format names of 1 to 64 characters");
    }
    const hello = { protocol: 7, program: "p", node: "n", resume: "r" };
    expect(Hello.schema.parse({ ...hello, patches: ["msgpack"] })).toEqual({ ...hello, patches: ["msgpack"] });
    expect(Hello.schema.parse(hello)).toEqual(hello);
    expect(() => Hello.schema.parse({ ...hello, patches: [""] })).toThrow("Hello.patches must hold format names");
    expect(Welcome.schema.parse({ node: "n", patches: ["msgpack"] })).toEqual({ node: "n", patches: ["msgpack"] });
    expect(() => Welcome.schema.parse({ node: "n", patches: {} })).toThrow("Welcome.patches must be an array");
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

  it("is bytes of the compact state wire (what they say is checked as the session's receiver decodes them)", () => {
    const bytes = Uint8Array.of(0x04, 1, 2);
    expect(parse(bytes)).toBe(bytes);
    for (const value of [{ v: [1], s: true, d: 1 }, [4, 1, 2], "bytes", null, new ArrayBuffer(3)]) {
      expect(() => parse(value), String(value)).toThrow(new TypeError("State must be bytes of the compact state wire (link protocol 7)"));
    }
  });
});
