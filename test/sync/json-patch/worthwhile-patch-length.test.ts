import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../../lib/descriptor/json-value.js";
import { diffJson, jsonTextLength, type PatchOperation, worthwhilePatchLength } from "../../../lib/sync/json-patch/index.js";
import { jsonValue, recordsState } from "./json-fixtures.js";

describe("jsonTextLength", () => {
  it("is the length of JSON.stringify's text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue() as fc.Arbitrary<JsonValue>, jsonValue), (value) => {
        expect(jsonTextLength(value)).toBe(JSON.stringify(value).length);
      }),
      { numRuns: 300, seed: 6904 },
    );
    expect(jsonTextLength({ "quote\"": ["\u0001", 1e21, -0, true, null] })).toBe(JSON.stringify({ "quote\"": ["\u0001", 1e21, -0, true, null] }).length);
  });

  it("stops soon after passing stopAbove, but is exact up to it", () => {
    fc.assert(
      fc.property(jsonValue, fc.nat(200), (value, stopAbove) => {
        const exact = JSON.stringify(value).length;
        const counted = jsonTextLength(value, stopAbove);
        if (exact <= stopAbove) expect(counted).toBe(exact);
        else expect(counted).toBeGreaterThan(stopAbove);
      }),
      { numRuns: 300, seed: 6905 },
    );
  });
});

describe("worthwhilePatchLength", () => {
  it("is the patch's JSON text length when it is shorter than the state's, else undefined", () => {
    const state = recordsState(64 * 1024);
    const length = jsonTextLength(state);
    const small: PatchOperation[] = [{ op: "replace", path: "/records/3/price", value: 1 }];
    const patchLength = JSON.stringify(small).length;
    expect(worthwhilePatchLength(small, length)).toBe(patchLength);
    expect(worthwhilePatchLength(small, patchLength + 1)).toBe(patchLength);
    expect(worthwhilePatchLength(small, patchLength)).toBeUndefined();
    expect(worthwhilePatchLength(diffJson(state, { replaced: true }), jsonTextLength({ replaced: true }))).toBeUndefined();
    expect(worthwhilePatchLength(diffJson(1, 2), 1)).toBeUndefined();
  });
});
