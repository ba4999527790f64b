import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapePointerSegment, pointerDepth, pointerSegments } from "../../../lib/sync/json-patch/index.js";

describe("JSON Pointer", () => {
  it("escapes ~ as ~0 and / as ~1, and reads them back", () => {
    expect(escapePointerSegment("a/b")).toBe("a~1b");
    expect(escapePointerSegment("m~n")).toBe("m~0n");
    expect(escapePointerSegment("~1")).toBe("~01");
    expect(escapePointerSegment("plain")).toBe("plain");
    expect(pointerSegments("/~01/a~1b/m~0n//")).toEqual(["~1", "a/b", "m~n", "", ""]);
    expect(pointerSegments("")).toEqual([]);
    expect(pointerSegments("/")).toEqual([""]);
  });

  it("round-trips any list of keys", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom("a", "/", "~", "0", "1", "é") })), (keys) => {
        const pointer = keys.map((key) => "/" + escapePointerSegment(key)).join("");
        expect(pointerSegments(pointer)).toEqual(keys);
        expect(pointerDepth(pointer)).toBe(keys.length);
      }),
      { numRuns: 300, seed: 6901 },
    );
  });

  it("refuses text that is not a pointer", () => {
    for (const bad of ["a", "a/b", "/~", "/a~", "/~2", "/a~/b", "~0"]) {
      expect(pointerSegments(bad)).toBeUndefined();
      expect(pointerDepth(bad)).toBe(-1);
    }
  });
});
