import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonLimits, JsonValue } from "../../../lib/descriptor/json-value.js";
import { freezeData, measureData } from "../../../lib/state/frozen-data.js";
import { applyPatch, applyPatchWithin, diffJson, PatchLimitError, type PatchOperation } from "../../../lib/sync/json-patch/index.js";
import { deepCopy, deepFreeze, editedPair, jsonValue } from "./json-fixtures.js";

const WIDE: JsonLimits = { maxDepth: 1000, maxLength: Number.MAX_SAFE_INTEGER };

/** Levels of arrays and objects in `value` (0 for a primitive). */
function depthOf(value: JsonValue): number {
  if (typeof value !== "object" || value === null) return 0;
  let deepest = 0;
  for (const item of Object.values(value)) deepest = Math.max(deepest, depthOf(item));
  return deepest + 1;
}

/** The PatchLimitError applying `patch` to `base` within `limits` throws, or undefined when it applies. */
function refusal(base: JsonValue, patch: readonly PatchOperation[], limits: Partial<JsonLimits>): PatchLimitError | undefined {
  try {
    const { data, size } = applyPatchWithin(base, measureData(base), patch, { ...WIDE, ...limits });
    expect(size.length).toBe(JSON.stringify(data).length);
    expect(size.depth).toBeGreaterThanOrEqual(depthOf(data));
    return undefined;
  } catch (error) {
    if (error instanceof PatchLimitError) return error;
    throw error;
  }
}

/** Checks that `patch` turns `base` into `target` exactly within limits of its size, and is refused just under them. */
function checkExact(base: JsonValue, patch: readonly PatchOperation[], target: JsonValue): void {
  const length = JSON.stringify(target).length;
  expect(refusal(base, patch, { maxLength: length })).toBeUndefined();
  const tooLong = refusal(base, patch, { maxLength: length - 1 });
  expect(tooLong?.length).toBe(length);
  // The depth is bounded: never less than the result's, never more than the deepest document along the way.
  const depth = depthOf(target);
  let deepest = depthOf(base);
  for (let k = 1; k <= patch.length; k++) deepest = Math.max(deepest, depthOf(applyPatch(base, patch.slice(0, k))));
  expect(refusal(base, patch, { maxDepth: deepest })).toBeUndefined();
  if (depth > 0) expect(refusal(base, patch, { maxDepth: depth - 1 })?.depth).toBeGreaterThanOrEqual(depth);
}

describe("applyPatchWithin", () => {
  it("knows the result's JSON length exactly and bounds its depth, for diffs of edited values", () => {
    fc.assert(
      fc.property(editedPair, ([a, b]) => {
        checkExact(deepFreeze(deepCopy(a)), diffJson(a, b), b);
      }),
      { numRuns: 400 },
    );
  });

  it("and for patches whose later operations replace or remove what earlier ones made (two diffs in a row)", () => {
    fc.assert(
      fc.property(jsonValue, jsonValue, jsonValue, (a, b, c) => {
        checkExact(deepFreeze(deepCopy(a)), [...diffJson(a, b), ...diffJson(b, c)], c);
      }),
      { numRuns: 300 },
    );
  });

  it("counts members, commas, escaped keys and remembered subtrees the way JSON.stringify does", () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ id: i, name: `row ${i}` }));
    const remembered = { rows };
    freezeData(remembered, WIDE); // its containers remember their length
    const cases: Array<[JsonValue, PatchOperation[]]> = [
      [{}, [{ op: "add", path: "/a", value: 1 }]],
      [{ a: 1 }, [{ op: "add", path: "/b", value: "x" }]],
      [{ a: 1 }, [{ op: "remove", path: "/a" }]],
      [{ a: 1, b: 2 }, [{ op: "remove", path: "/b" }]],
      [{ a: 1 }, [{ op: "add", path: "/a", value: [1, 2] }]],
      [[], [{ op: "add", path: "/-", value: null }]],
      [[1], [{ op: "add", path: "/0", value: true }]],
      [[1], [{ op: "remove", path: "/0" }]],
      [[1, 2], [{ op: "replace", path: "/1", value: { deep: ["x"] } }]],
      [{ 'q"uote\n': 1 }, [{ op: "add", path: "/\u2028", value: "é\u0001" }]],
      [{ a: 1 }, [{ op: "add", path: "/__proto__", value: { b: 2 } }]],
      [{ a: { b: 1 } }, [{ op: "add", path: "/a/c", value: 2 }, { op: "replace", path: "/a", value: "flat" }]],
      [{ a: [1] }, [{ op: "add", path: "/a/-", value: { x: 1 } }, { op: "add", path: "/a/1/y", value: 2 }, { op: "remove", path: "/a" }]],
      [{ a: 1 }, [{ op: "replace", path: "", value: [1, 2, 3] }, { op: "add", path: "/-", value: 4 }]],
      [remembered, [{ op: "add", path: "/rows/3/extra", value: "yes" }, { op: "remove", path: "/rows/7" }]],
      [remembered, [{ op: "replace", path: "/rows", value: [] }]],
    ];
    for (const [base, patch] of cases) {
      const target = applyPatch(base, patch);
      checkExact(base, patch, target);
    }
  });

  it("refuses a result over maxLength or maxDepth with the sizes and limits, leaving the base as it was", () => {
    const base = deepFreeze({ list: ["a"] as JsonValue[] });
    const value = { text: "b".repeat(100) };
    const patch: PatchOperation[] = [{ op: "add", path: "/list/-", value }];
    const error = refusal(base, patch, { maxLength: 100 });
    expect(error).toBeInstanceOf(PatchLimitError);
    expect(error?.code).toBe("PATCH_LIMIT");
    const length = JSON.stringify({ list: ["a", value] }).length;
    expect(error?.message).toContain(`the result would be ${length} characters of JSON, more than maxLength (100)`);
    const deep = refusal({ a: {} }, [{ op: "add", path: "/a/b", value: [[1]] }], { maxDepth: 3 });
    expect(deep?.message).toMatch(/the result would be 4 levels deep, deeper than maxDepth \(3\)/);
    expect(base).toEqual({ list: ["a"] });
  });
});
