/**
 * fast-json-patch, the JSON Patch library the project names, as the oracle of diffJson and applyPatch:
 * its applyPatch (validating each operation) must turn a value into its target with our diff, and ours
 * must make what its own makes from the patches its compare generates.
 */
import fc from "fast-check";
import fastJsonPatch, { type Operation } from "fast-json-patch";
import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../../lib/descriptor/json-value.js";
import { applyPatch, diffJson, parsePatch, PatchApplyError, type PatchOperation } from "../../../lib/sync/json-patch/index.js";
import { asJson, deepCopy, deepFreeze, editedPairOf, editWith, jsonValueWith, pointerKey } from "./json-fixtures.js";

const RUNS = 300;
const SEED = 6902;

/** Whether `value` has an object member named `__proto__` anywhere, which fast-json-patch refuses in paths (see below). */
function hasProtoKey(value: JsonValue): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (!Array.isArray(value) && Object.hasOwn(value, "__proto__")) return true;
  return Object.values(value).some(hasProtoKey);
}

/** Pairs with no `__proto__` key (fast-check's JSON values draw it on purpose now and then). */
function forBoth(pairs: fc.Arbitrary<[JsonValue, JsonValue]>): fc.Arbitrary<[JsonValue, JsonValue]> {
  return pairs.filter(([a, b]) => !hasProtoKey(a) && !hasProtoKey(b));
}

const value = jsonValueWith(pointerKey);
const editedPair = editedPairOf(value, editWith(pointerKey));

/**
 * Pairs whose roots are containers of one kind: compare only diffs those (it returns no operation for
 * `1` → `2` or `{}` → `[]`). An edited container stays a container of its kind.
 */
const object = fc.dictionary(pointerKey, value, { maxKeys: 6 }) as fc.Arbitrary<JsonValue>;
const array = fc.array(value, { maxLength: 6 }) as fc.Arbitrary<JsonValue>;
const comparablePair = forBoth(
  fc.oneof(editedPairOf(fc.oneof(object, array), editWith(pointerKey)), fc.tuple(object, object), fc.tuple(array, array)),
);

/** A copy of `patch` sharing nothing with it, as after a trip through JSON text. */
function copyOf(patch: readonly PatchOperation[]): PatchOperation[] {
  return JSON.parse(JSON.stringify(patch)) as PatchOperation[];
}

/** fast-json-patch's result of `patch` on a copy of `base`, each operation validated as it is applied. */
function theirApply(base: JsonValue, patch: readonly PatchOperation[]): JsonValue {
  return fastJsonPatch.applyPatch(deepCopy(base), copyOf(patch) as Operation[], true).newDocument;
}

/** Our result of `patch` on `base`, frozen so that any write to it throws. */
function ourApply(base: JsonValue, patch: readonly PatchOperation[]): JsonValue {
  return applyPatch(deepFreeze(base), copyOf(patch));
}

/** fast-json-patch's compare from `a` to `b`, read as a patch from elsewhere is (it must be one we accept). */
function theirDiff(a: JsonValue, b: JsonValue): PatchOperation[] {
  return parsePatch(fastJsonPatch.compare(deepCopy(a) as object, deepCopy(b) as object));
}

describe("JSON Patch against fast-json-patch", () => {
  it("our diff, applied by fast-json-patch, gives the target; our apply of it gives the same", () => {
    fc.assert(
      fc.property(forBoth(fc.oneof(editedPair, fc.tuple(value, value))), ([a, b]) => {
        const target = deepCopy(b);
        const patch = diffJson(a, deepFreeze(b));
        expect(asJson(theirApply(a, patch))).toEqual(asJson(target));
        expect(asJson(ourApply(a, patch))).toEqual(asJson(target));
        expect(asJson(b)).toEqual(asJson(target));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("our apply agrees with fast-json-patch's on the patches its compare makes, array edits included", () => {
    fc.assert(
      fc.property(comparablePair, ([a, b]) => {
        const patch = theirDiff(a, b);
        const theirs = theirApply(a, patch);
        expect(asJson(theirs)).toEqual(asJson(b));
        expect(asJson(ourApply(a, patch))).toEqual(asJson(theirs));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("agrees on element insertions and removals in the middle of arrays", () => {
    const from: JsonValue = { list: [1, { a: "x/y" }, [2], "~", null] };
    const to: JsonValue = { list: [0, 1, [2], "~", null, { "~1": 3 }] };
    for (const patch of [diffJson(from, to), theirDiff(from, to)]) {
      expect(theirApply(from, patch)).toEqual(to);
      expect(ourApply(from, patch)).toEqual(to);
    }
  });

  /**
   * Hand-made patches on which the two differ (found by trying the RFCs' edge cases): fast-json-patch,
   * even validating, takes `01` for index 1, an inherited member such as `toString` for an existing one,
   * and `~` followed by anything for itself; RFC 6901 allows none of these, so ours refuses them. It
   * turns `remove ""` into `null`; ours refuses it, as a state is never absent (replace it instead).
   */
  it("follows RFC 6901 and 6902 where fast-json-patch does not", () => {
    const refused: [JsonValue, PatchOperation][] = [
      [{ a: [1, 2] }, { op: "add", path: "/a/01", value: 3 }],
      [{}, { op: "replace", path: "/toString", value: 1 }],
      [{}, { op: "remove", path: "/constructor" }],
      [{ "~x": 1 }, { op: "replace", path: "/~x", value: 2 }],
      [{ a: 1 }, { op: "remove", path: "" }],
    ];
    for (const [base, operation] of refused) expect(() => ourApply(base, [operation])).toThrow(PatchApplyError);
    expect(ourApply({}, [{ op: "add", path: "/toString", value: 1 }])).toEqual({ toString: 1 });
    expect(ourApply({ "~1": 1 }, [{ op: "replace", path: "/~01", value: 2 }])).toEqual({ "~1": 2 });
  });

  /**
   * fast-json-patch refuses paths through `__proto__` or `constructor/prototype`, as it writes with plain
   * assignment; to RFC 6902 they are member names like any other, and ours writes them as own data.
   */
  it("differs deliberately on __proto__ and constructor/prototype: plain keys to us, refused by fast-json-patch", () => {
    const patch: PatchOperation[] = [{ op: "add", path: "/__proto__", value: { polluted: true } }];
    const ours = ourApply({}, patch) as { readonly [key: string]: JsonValue };
    expect(Object.hasOwn(ours, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(ours)).toBe(Object.prototype);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(() => theirApply({}, patch)).toThrow(/__proto__/);
    const prototype: PatchOperation[] = [{ op: "add", path: "/constructor/prototype", value: 1 }];
    expect(ourApply({ constructor: {} }, prototype)).toEqual({ constructor: { prototype: 1 } });
    expect(() => theirApply({ constructor: {} }, prototype)).toThrow(/prototype/);
  });
});
