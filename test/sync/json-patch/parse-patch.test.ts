import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertJsonValue, type JsonValue } from "../../../lib/descriptor/json-value.js";
import { InvalidLimitsError } from "../../../lib/descriptor/invalid-limits-error.js";
import { applyPatch, diffJson, InvalidPatchError, parsePatch, PatchApplyError } from "../../../lib/sync/json-patch/index.js";
import { deepCopy, deepFreeze, editedPair, jsonValue, trickyKey } from "./json-fixtures.js";

/** Runs `base` through a parsed `untrusted` patch; true if it applied, false if refused with one of the two errors. */
function survives(base: JsonValue, untrusted: unknown): boolean {
  const text = JSON.stringify(base);
  let applied = false;
  try {
    const result = applyPatch(deepFreeze(base), parsePatch(untrusted));
    assertJsonValue(result, { maxDepth: 1000, maxLength: 1e9 });
    applied = true;
  } catch (error) {
    if (!(error instanceof InvalidPatchError) && !(error instanceof PatchApplyError)) throw error;
  }
  expect(JSON.stringify(base)).toBe(text);
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("polluted");
  expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  return applied;
}

function rejection(untrusted: unknown, limits?: Parameters<typeof parsePatch>[1]): InvalidPatchError {
  try {
    parsePatch(untrusted, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPatchError);
    return error as InvalidPatchError;
  }
  throw new Error(`accepted ${JSON.stringify(untrusted)}`);
}

function segmentLike(): fc.Arbitrary<string> {
  return fc.oneof(trickyKey, fc.constantFrom("-", "0", "1", "01", "99"));
}

describe("parsePatch", () => {
  it("accepts add, remove and replace, keeping only the members each needs", () => {
    const input = [
      { op: "add", path: "/a/-", value: { x: [1] }, extra: "ignored" },
      { op: "remove", path: "/b/~0~1", value: "ignored" },
      { op: "replace", path: "", value: null },
    ];
    const patch = parsePatch(input);
    expect(patch).toEqual([
      { op: "add", path: "/a/-", value: { x: [1] } },
      { op: "remove", path: "/b/~0~1" },
      { op: "replace", path: "", value: null },
    ]);
    expect(patch[0]).not.toBe(input[0]);
    expect(parsePatch([])).toEqual([]);
    expect(parsePatch([Object.assign(Object.create(null) as object, { op: "remove", path: "/x" })])).toEqual([{ op: "remove", path: "/x" }]);
  });

  it("refuses malformed patches, naming the operation and what is wrong", () => {
    const cases: [unknown, number, string][] = [
      [{ op: "add" }, -1, "must be an array"],
      ["[]", -1, "must be an array"],
      [[null], 0, "must be an object"],
      [[[]], 0, "must be an object"],
      [[new Date()], 0, "must be a plain object"],
      [[{ op: "move", path: "/a", from: "/b" }], 0, 'op "move"'],
      [[{ op: "test", path: "/a", value: 1 }], 0, 'op "test"'],
      [[{ path: "/a" }], 0, "op undefined"],
      [[{ op: "remove", path: "/ok" }, { op: "remove" }], 1, 'needs a string "path"'],
      [[{ op: "remove", path: 3 }], 0, 'needs a string "path"'],
      [[{ op: "remove", path: "a" }], 0, "not a JSON Pointer"],
      [[{ op: "remove", path: "/a~" }], 0, "not a JSON Pointer"],
      [[{ op: "remove", path: "/a~2" }], 0, "not a JSON Pointer"],
      [[{ op: "add", path: "/a" }], 0, 'needs a "value"'],
      [[{ op: "replace", path: "/a", value: undefined }], 0, "undefined is not a JSON value"],
      [[{ op: "add", path: "/a", value: { n: NaN } }], 0, "value.n"],
      [[{ op: "add", path: "/a", value: [new Map()] }], 0, "a Map is not a JSON value"],
    ];
    for (const [input, index, problem] of cases) {
      const error = rejection(input);
      expect(error.opIndex).toBe(index);
      expect(error.message).toContain(problem);
      if (index >= 0) expect(error.message).toContain(`operation ${index} `);
    }
  });

  it("enforces maxOps, maxDepth and maxLength", () => {
    const ops = (n: number) => Array.from({ length: n }, () => ({ op: "remove", path: "/a" }));
    expect(parsePatch(ops(10_000))).toHaveLength(10_000);
    expect(rejection(ops(10_001)).message).toContain("limit maxOps");
    expect(rejection(ops(3), { maxOps: 2 }).message).toContain("more than 2");
    expect(rejection([{ op: "remove", path: "/a/b/c" }], { maxDepth: 2 }).message).toContain("3 segments");
    expect(rejection([{ op: "add", path: "/a", value: [[[1]]] }], { maxDepth: 2 }).message).toContain("maxDepth");
    expect(rejection([{ op: "add", path: "/a", value: "x".repeat(20) }], { maxLength: 10 }).message).toContain("maxLength");
    expect(parsePatch([{ op: "add", path: "/a/b", value: [[1]] }], { maxDepth: 2 })).toHaveLength(1);
    expect(rejection([{ op: "remove", path: "/" + "a/".repeat(64) }]).message).toContain("limit maxDepth");
    expect(() => parsePatch([], { maxOps: 0 })).toThrow(InvalidLimitsError);
  });

  it("keeps __proto__ in paths and values as plain data", () => {
    const patch = parsePatch(JSON.parse('[{"op":"add","path":"/__proto__","value":{"polluted":true},"__proto__":{"op":"x"}},{"op":"add","path":"/__proto__/__proto__","value":{"polluted":true}}]'));
    const result = applyPatch(deepFreeze({}), patch) as { [key: string]: JsonValue };
    expect(JSON.stringify(result)).toBe('{"__proto__":{"polluted":true,"__proto__":{"polluted":true}}}');
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(result["__proto__"])).toBe(Object.prototype);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(rejection(JSON.parse('[{"__proto__":{"op":"remove","path":"/a"}}]')).message).toContain("op undefined");
  });

  it("lets only InvalidPatchError or PatchApplyError out of hostile input, and never touches prototypes", () => {
    const segment = fc.oneof(trickyKey, fc.constantFrom("-", "00", "01", "1", "2", "9999999999999999999", "~2", "length"));
    const path = fc.oneof(
      fc.array(segment, { maxLength: 4 }).map((segments) => segments.map((s) => "/" + s).join("")),
      fc.string({ maxLength: 8 }),
    );
    const op = fc.oneof(
      fc.record({ op: fc.constantFrom("add", "remove", "replace", "move", "copy", "test", "ADD"), path, value: jsonValue }, { requiredKeys: ["op", "path"] }),
      fc.record({ op: fc.anything(), path: fc.oneof(path, fc.anything()), value: fc.anything() }, { requiredKeys: [] }),
      fc.anything(),
    );
    const patch = fc.oneof({ weight: 6, arbitrary: fc.array(op, { maxLength: 6 }) }, { weight: 1, arbitrary: fc.anything() });
    fc.assert(
      fc.property(jsonValue, patch, (base, untrusted) => {
        survives(base, untrusted);
      }),
      { numRuns: 300, seed: 6902 },
    );
  });

  it("lets only the two errors out of damaged real patches, most of which still fit", () => {
    const damage = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 5 }), segmentLike()), { minLength: 1, maxLength: 3 });
    let applied = 0;
    fc.assert(
      fc.property(editedPair, damage, ([a, b], damages) => {
        const ops = JSON.parse(JSON.stringify(diffJson(a, b))) as Record<string, unknown>[];
        for (const [at, kind, segment] of damages) {
          if (ops.length === 0) break;
          const op = ops[at % ops.length]!;
          const path = op["path"] as string;
          if (kind === 0) ops.splice(at % ops.length, 1);
          else if (kind === 1) op["op"] = ["add", "remove", "replace"][at % 3];
          else if (kind === 2) op["path"] = path + "/" + segment;
          else if (kind === 3) op["path"] = path.slice(0, Math.max(0, path.lastIndexOf("/")));
          else if (kind === 4) op["path"] = path.replace(/\/[^/]*$/, "/" + segment);
          else delete op["value"];
        }
        if (survives(deepCopy(a), ops)) applied++;
      }),
      { numRuns: 200, seed: 6903 },
    );
    expect(applied).toBeGreaterThan(40);
  });
});
