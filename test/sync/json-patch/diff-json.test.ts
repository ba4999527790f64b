import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../../lib/descriptor/json-value.js";
import { applyPatch, diffJson, jsonTextLength, parsePatch, pointerSegments, type PatchOperation } from "../../../lib/sync/json-patch/index.js";
import { asJson, containersIn, deepCopy, deepFreeze, edit, edited, editedPair, jsonValue, recordsState, setOwn } from "./json-fixtures.js";

const RUNS = 200;

/** Checks every property of one diff-and-apply round trip from `a` to `b`. */
function roundTrip(a: JsonValue, b: JsonValue): { patch: PatchOperation[]; result: JsonValue } {
  const before = deepCopy(a);
  deepFreeze(a);
  const patch = diffJson(a, b);
  const result = applyPatch(a, patch);
  expect(asJson(result)).toEqual(asJson(b));
  expect(asJson(a)).toEqual(before);
  return { patch, result };
}

describe("diffJson", () => {
  it("turns any JSON value into any other", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        roundTrip(a as JsonValue, b as JsonValue);
      }),
      { numRuns: RUNS, seed: 6900 },
    );
    fc.assert(
      fc.property(jsonValue, jsonValue, (a, b) => {
        roundTrip(a, b);
      }),
      { numRuns: RUNS, seed: 6900 },
    );
  });

  it("turns a value into its edited version, copying only the containers on changed paths", () => {
    fc.assert(
      fc.property(editedPair, ([a, b]) => {
        const { patch, result } = roundTrip(a, b);
        expectUntouchedShared(a, result, patch, []);
        const fromBase = containersIn(a);
        const fromPatch = new Set<object>();
        for (const op of patch) if (op.op !== "remove") containersIn(op.value, fromPatch);
        let fresh = 0;
        for (const container of containersIn(result)) if (!fromBase.has(container) && !fromPatch.has(container)) fresh++;
        let depths = 0;
        for (const op of patch) depths += pointerSegments(op.path)!.length;
        expect(fresh).toBeLessThanOrEqual(depths);
      }),
      { numRuns: RUNS, seed: 6900 },
    );
  });

  it("makes the same patch whether or not the new value shares subtrees with the old", () => {
    fc.assert(
      fc.property(editedPair, ([a, b]) => {
        expect(JSON.stringify(diffJson(a, deepCopy(b)))).toBe(JSON.stringify(diffJson(a, b)));
      }),
      { numRuns: RUNS, seed: 6900 },
    );
  });

  it("makes patches parsePatch accepts after a trip through JSON text", () => {
    fc.assert(
      fc.property(fc.oneof(editedPair, fc.tuple(jsonValue, jsonValue)), ([a, b]) => {
        const patch = diffJson(a, b);
        const received = parsePatch(JSON.parse(JSON.stringify(patch)));
        expect(received).toEqual(JSON.parse(JSON.stringify(patch)));
        expect(asJson(applyPatch(deepCopy(a), received))).toEqual(asJson(b));
      }),
      { numRuns: RUNS, seed: 6900 },
    );
  });

  it("costs one operation for one set of a primitive, one insertion or one removal", () => {
    const single = fc
      .tuple(jsonValue, edit)
      .filter(([, e]) => typeof e.value !== "object" || e.value === null)
      .map(([a, e]) => [a, edited(a, [e])] as const);
    fc.assert(
      fc.property(single, ([a, b]) => {
        expect(diffJson(a, b).length).toBeLessThanOrEqual(1);
      }),
      { numRuns: RUNS, seed: 6900 },
    );
  });

  it("returns no operations for equal values, whatever their key order or sharing", () => {
    expect(diffJson({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toEqual([]);
    fc.assert(fc.property(jsonValue, (a) => {
        expect(diffJson(a, deepCopy(a))).toEqual([]);
      }), { numRuns: RUNS, seed: 6900 });
  });

  it("replaces the whole document when its type changes at the top", () => {
    expect(diffJson(1, 2)).toEqual([{ op: "replace", path: "", value: 2 }]);
    expect(diffJson(null, { a: 1 })).toEqual([{ op: "replace", path: "", value: { a: 1 } }]);
    expect(diffJson([1, 2, 3], { a: 1 })).toEqual([{ op: "replace", path: "", value: { a: 1 } }]);
    expect(diffJson({ a: 1 }, [])).toEqual([{ op: "replace", path: "", value: [] }]);
    expect(diffJson({ a: [1] }, { a: { 0: 1 } })).toEqual([{ op: "replace", path: "/a", value: { 0: 1 } }]);
  });

  it("keeps the common head and tail of arrays", () => {
    expect(diffJson([1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5])).toEqual([{ op: "add", path: "/0", value: 0 }]);
    expect(diffJson([{ a: 1 }, { b: 2 }, { c: 3 }], [{ a: 1 }, { c: 3 }])).toEqual([{ op: "remove", path: "/1" }]);
    expect(diffJson([1, 2, 3], [1, 9, 3])).toEqual([{ op: "replace", path: "/1", value: 9 }]);
    expect(diffJson([1, 2, 3, 4], [1, 4])).toEqual([
      { op: "remove", path: "/2" },
      { op: "remove", path: "/1" },
    ]);
    expect(diffJson([1], [1, 2, 3])).toEqual([
      { op: "add", path: "/1", value: 2 },
      { op: "add", path: "/2", value: 3 },
    ]);
  });

  it("escapes ~ and / in keys (RFC 6901)", () => {
    const from = { "a/b": 1, "m~n": 2, "~1": 3, "": 4, "/": { "~": 5 } };
    const to = { "a/b": 10, "m~n": 20, "~1": 30, "": 40, "/": { "~": 50 } };
    const patch = diffJson(from, to);
    expect(patch.map((op) => op.path).sort()).toEqual(["/", "/a~1b", "/m~0n", "/~01", "/~1/~0"].sort());
    expect(applyPatch(from, patch)).toEqual(to);
  });

  it("treats null-prototype objects and __proto__ keys as plain data", () => {
    const from = Object.assign(Object.create(null) as { [key: string]: JsonValue }, { a: 1, b: { c: 2 } });
    const to = Object.assign(Object.create(null) as { [key: string]: JsonValue }, { a: 1, b: { c: 3 } });
    expect(diffJson(from, to)).toEqual([{ op: "replace", path: "/b/c", value: 3 }]);
    const withProto: { [key: string]: JsonValue } = {};
    setOwn(withProto, "__proto__", { polluted: true });
    const patch = diffJson({}, withProto);
    expect(patch).toEqual([{ op: "add", path: "/__proto__", value: { polluted: true } }]);
    const result = applyPatch({}, patch) as { [key: string]: JsonValue };
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.hasOwn(result, "__proto__")).toBe(true);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(diffJson(withProto, {})).toEqual([{ op: "remove", path: "/__proto__" }]);
  });

  it("changes one field of a 64 KB object with one operation under 2% of the state's size", () => {
    const state = recordsState(64 * 1024);
    const stateLength = jsonTextLength(state);
    expect(stateLength).toBeGreaterThanOrEqual(64 * 1024);
    const records = state.records.slice();
    const target = records[records.length >> 1] as { [key: string]: JsonValue };
    records[records.length >> 1] = { ...target, price: 1234.5 };
    const next = { ...state, records };
    for (const to of [next, deepCopy(next)]) {
      const patch = diffJson(state, to);
      expect(patch).toEqual([{ op: "replace", path: `/records/${records.length >> 1}/price`, value: 1234.5 }]);
      expect(JSON.stringify(patch).length).toBeLessThan(stateLength * 0.02);
    }
  });
});

/**
 * Walks `base` and `result` in step: wherever no operation's path goes, the result holds the base's
 * very object. Arrays where operations insert or remove elements shift their tail, so the walk stops there.
 */
function expectUntouchedShared(base: JsonValue, result: JsonValue, patch: readonly PatchOperation[], at: string[]): void {
  const touching = patch.filter((op) => startsWith(pointerSegments(op.path)!, at));
  if (touching.length === 0) {
    expect(result).toBe(base);
    return;
  }
  if (typeof base !== "object" || base === null || typeof result !== "object" || result === null) return;
  if (Array.isArray(base) !== Array.isArray(result)) return;
  if (Array.isArray(base)) {
    const shifts = touching.some((op) => op.op !== "replace" && pointerSegments(op.path)!.length === at.length + 1);
    if (shifts) return;
  }
  const b = base as { readonly [key: string]: JsonValue };
  const r = result as { readonly [key: string]: JsonValue };
  for (const key of Object.keys(b)) {
    if (Object.hasOwn(r, key)) expectUntouchedShared(b[key]!, r[key]!, touching, [...at, key]);
  }
}

function startsWith(segments: readonly string[], prefix: readonly string[]): boolean {
  if (segments.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (segments[i] !== prefix[i]) return false;
  return true;
}
