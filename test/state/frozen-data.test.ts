import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertJsonValue, type JsonLimits } from "../../lib/descriptor/json-value.js";
import { InvalidJsonError } from "../../lib/descriptor/invalid-json-error.js";
import { LocalNode } from "../../lib/index.js";
import { freezeData, frozenDataLength } from "../../lib/state/frozen-data.js";

const LIMITS: JsonLimits = { maxDepth: 64, maxLength: 1_000_000 };

function deepFrozen(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(deepFrozen);
}

describe("frozen state data", () => {
  it("returns the JSON text length and freezes deeply, for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = JSON.parse(JSON.stringify(value)) as unknown;
        expect(freezeData(copy, LIMITS)).toBe(JSON.stringify(copy).length);
        expect(deepFrozen(copy)).toBe(true);
        expect(frozenDataLength(copy as never)).toBe(JSON.stringify(copy).length);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects what assertJsonValue rejects, with the same error type and a path", () => {
    const bad = [{ a: [1, undefined] }, { d: new Date(0) }, { n: NaN }, [() => 1], { m: new Map() }];
    for (const value of bad) {
      expect(() => assertJsonValue(value, LIMITS)).toThrow(InvalidJsonError);
      expect(() => freezeData(value, LIMITS, "$data")).toThrow(InvalidJsonError);
    }
    expect(() => freezeData({ deep: { x: [undefined] } }, LIMITS, "$data")).toThrow(/\$data\.deep\.x\[0\]/);
  });

  it("walks only new containers of a state built by structural sharing, and keeps limits exact", () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ id: i, name: `row ${i}`, tags: ["a", "b"] }));
    const first = { rows };
    const firstLength = freezeData(first, LIMITS);
    const second = { rows: first.rows.map((row, i) => (i === 3 ? { ...row, name: "changed!" } : row)) };
    expect(freezeData(second, LIMITS)).toBe(JSON.stringify(second).length);
    expect(firstLength).toBe(JSON.stringify(first).length);
    // A remembered subtree placed deeper still counts toward maxDepth.
    const big = { items: Array.from({ length: 50 }, (_, i) => ({ i, text: "x".repeat(10) })) };
    freezeData(big, LIMITS);
    let nested: unknown = big;
    for (let i = 0; i < 62; i++) nested = [nested];
    expect(() => freezeData(nested, LIMITS)).toThrow(/deeper than 64/);
  });

  it("set() freezes the data it takes: a mutation afterwards throws instead of silently diverging", () => {
    const node = new LocalNode();
    const expose = node.object([], "f").expose<{ list: number[] }>();
    const data = { list: [1, 2, 3] };
    expose.set(data);
    expect(() => {
      "use strict";
      data.list.push(4);
    }).toThrow(TypeError);
  });
});

describe("frozen state data limits", () => {
  it("refuses data whose JSON text is one character over maxLength, also when the outermost value is an object", () => {
    const value = { key: "x".repeat(10) }; // {"key":"xxxxxxxxxx"} is 20 characters
    expect(JSON.stringify(value).length).toBe(20);
    expect(freezeData({ ...value }, { maxDepth: 8, maxLength: 20 })).toBe(20);
    expect(() => freezeData({ ...value }, { maxDepth: 8, maxLength: 19 })).toThrow(/maxLength/);
  });
});
