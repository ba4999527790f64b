import { describe, expect, it } from "vitest";
import { InvalidJsonError, type JsonValue, LocalNode } from "../../lib/index.js";
import { InvalidLimitsError } from "../../lib/descriptor/invalid-limits-error.js";
import { DEFAULT_DATA_LIMITS } from "../../lib/state/frozen-data.js";

/** A string whose JSON text (with its quotes) is `length` characters. */
const text = (length: number) => "x".repeat(length - 2);

/** `levels` nested arrays around 1: `[[1]]` for 2. */
const nested = (levels: number): JsonValue => (levels === 0 ? 1 : [nested(levels - 1)]);

describe("a node's dataLimits bound what its own exposers set", () => {
  it("maxLength: a value as long as the limit is set, one character more is refused and the old value stays", () => {
    const node = new LocalNode({ dataLimits: { maxLength: 100 } });
    const expose = node.object([], "limited").expose<string>();
    const observe = node.object([], "limited").observe<string>();
    expect(expose.set(text(100))).toBe(true);
    expect(() => expose.set(text(101))).toThrow(InvalidJsonError);
    expect(() => expose.set(text(101))).toThrow(/longer than 100 characters \(limit maxLength\)/);
    expect(observe.data).toBe(text(100));
    // A node without the option takes it: the bound is the option's.
    expect(new LocalNode().object([], "free").expose<string>().set(text(101))).toBe(true);
  });

  it("maxDepth: nesting at the limit is set, one level more is refused; tag exposers are bound alike", () => {
    const node = new LocalNode({ dataLimits: { maxDepth: 3 } });
    const expose = node.object(["t"], "deep").expose();
    node.object(["t"], "deep").observe();
    expect(expose.set(nested(3))).toBe(true);
    expect(() => expose.set(nested(4))).toThrow(/deeper than 3/);
    const byTag = node.tag("t").expose();
    expect(() => byTag.set(expose.descriptor, nested(4))).toThrow(/deeper than 3/);
    expect(new LocalNode().object([], "free").expose().set(nested(4))).toBe(true);
  });

  it("what is not given comes from DEFAULT_DATA_LIMITS, and a limit that is not a positive integer is refused", () => {
    const node = new LocalNode({ dataLimits: { maxLength: 1000 } });
    const expose = node.object([], "deep").expose();
    expect(expose.set(nested(DEFAULT_DATA_LIMITS.maxDepth))).toBe(true);
    expect(() => expose.set(nested(DEFAULT_DATA_LIMITS.maxDepth + 1))).toThrow(/deeper than 64/);
    expect(() => new LocalNode({ dataLimits: { maxLength: 0 } })).toThrow(InvalidLimitsError);
    expect(() => new LocalNode({ dataLimits: { maxDepth: 1.5 } })).toThrow(InvalidLimitsError);
  });
});
