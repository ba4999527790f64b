/**
 * The compact state wire: what goes in comes out (random data, random patches from diffJson, codecs'
 * diffs of other formats, random version pairs, interned and literal paths, definitions for receivers
 * that lack them), and the decoder takes anything at all (random bytes, valid states mutated or cut
 * short) without doing more than return a valid state, return nothing, or throw its one typed error.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../../lib/descriptor/json-value.js";
import type { ObjectState } from "../../../lib/state/object-state.js";
import { MAX_VERSION_LENGTH, type Version } from "../../../lib/state/version.js";
import { diffJson } from "../../../lib/sync/json-patch/index.js";
import { MAX_INTERNED_PATH_BYTES, MAX_INTERNED_PATHS, PathDictionary, PathTable } from "../../../lib/sync/wire/path-dictionary.js";
import { StateDecodeError } from "../../../lib/sync/wire/state-decode-error.js";
import { decodeState, encodeBytesDiff, encodeDiff, encodeFlag, encodeFull, isDiff, versionCheck, withDefinitions } from "../../../lib/sync/wire/state-codec.js";
import { asJson, editedPair, jsonValue } from "../json-patch/json-fixtures.js";

const SESSION = "ab/cd";

const component = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: 0 }));
const version: fc.Arbitrary<Version> = fc.array(component, { minLength: 1, maxLength: MAX_VERSION_LENGTH - 1 });
const epoch = fc.oneof(fc.constant(undefined), fc.nat({ max: 5 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
/** Any format stack but JSON's: its data is bytes. */
const opaqueFormat = fc.array(fc.string({ maxLength: 64 }), { minLength: 1, maxLength: 8 }).filter((f) => !(f.length === 1 && f[0] === "JSON"));

/** A receiver that lists every format as one it can patch (decoding never calls the pair). */
const LISTS_ALL = { from: () => ({ diff: () => undefined, patch: (base: Uint8Array) => base }) };

function stateOf(data: JsonValue | Uint8Array, v: Version, synchronized: boolean, e: number | undefined, f: readonly string[]): ObjectState<unknown> {
  return e === undefined ? { version: v, format: f, data, synchronized } : { version: v, format: f, data, synchronized, epoch: e };
}

/** What the decoder gives for `state` in each form: epoch 0 left out, the default format as undefined. */
function expected(state: ObjectState<unknown>): { v: Version; s: boolean; f: readonly string[] | undefined; e?: number } {
  const f = state.format.length === 1 && state.format[0] === "JSON" ? undefined : state.format;
  return state.epoch === undefined || state.epoch === 0 ? { v: state.version, s: state.synchronized, f } : { v: state.version, s: state.synchronized, f, e: state.epoch };
}

describe("state wire round trip", () => {
  it("full and flag-only states come back as they went, data frozen, __proto__ an own key", () => {
    fc.assert(
      fc.property(jsonValue, version, fc.boolean(), epoch, (data, v, s, e) => {
        const state = stateOf(data, v, s, e, ["JSON"]);
        const full = decodeState(encodeFull(state), undefined, new PathTable(), SESSION)!;
        expect(full).toEqual({ ...expected(state), d: asJson(data) });
        expect(JSON.stringify(full.d)).toBe(JSON.stringify(data));
        if (typeof full.d === "object" && full.d !== null) expect(Object.isFrozen(full.d)).toBe(true);
        expect(decodeState(encodeFlag(state), undefined, new PathTable(), SESSION)).toEqual(expected(state));
      }),
      { numRuns: 300 },
    );
  });

  it("states of any other format carry their bytes as they are, in a copy of their own, with their format stack", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), version, fc.boolean(), epoch, opaqueFormat, (data, v, s, e, f) => {
        const state = stateOf(data, v, s, e, f);
        const bytes = encodeFull(state);
        const full = decodeState(bytes, undefined, new PathTable(), SESSION)!;
        expect(full).toEqual({ ...expected(state), d: data });
        expect(full.d).toBeInstanceOf(Uint8Array);
        expect((full.d as Uint8Array).buffer).not.toBe(bytes.buffer);
        expect(decodeState(encodeFlag(state), undefined, new PathTable(), SESSION)).toEqual(expected(state));
      }),
      { numRuns: 300 },
    );
  });

  it("diffs come back against the receiver's base, with definitions for a receiver that lacks them", () => {
    fc.assert(
      fc.property(editedPair, editedPair, version, version, fc.boolean(), epoch, (first, second, baseVersion, targetVersion, s, e) => {
        // The sender's dictionary is shared by two diffs; the receiver's table follows it through definitions.
        const dictionary = new PathDictionary();
        const table = new PathTable();
        for (const [before, after] of [first, second]) {
          const patch = diffJson(before, after);
          const state = stateOf(after, targetVersion, s, e, ["JSON"]);
          const diff = encodeDiff(state, baseVersion, patch, dictionary);
          const bytes = diff.needs > table.paths.length ? withDefinitions(diff, dictionary, table.paths.length) : diff.bytes;
          const decoded = decodeState(bytes, baseVersion, table, SESSION)!;
          expect(decoded).toEqual({ ...expected(state), p: patch.map((op) => ("value" in op ? { ...op, value: asJson(op.value) } : op)) });
          expect(table.paths).toEqual(dictionary.paths.slice(0, table.paths.length));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("diffs of any other format carry their codec's diff as it is, against the receiver's base, for a receiver that listed the format", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), version, version, fc.boolean(), epoch, opaqueFormat, (diff, baseVersion, v, s, e, f) => {
        const state = stateOf(new Uint8Array(0), v, s, e, f);
        const bytes = encodeBytesDiff(state, baseVersion, diff);
        expect(isDiff(bytes)).toBe(true);
        const decoded = decodeState(bytes, baseVersion, new PathTable(), SESSION, LISTS_ALL)!;
        expect(decoded).toEqual({ ...expected(state), x: diff });
        expect(decoded.x!.buffer).not.toBe(bytes.buffer);
        const other = [...baseVersion];
        other[0] = other[0]! === 0 ? 1 : 0;
        if (versionCheck(other) !== versionCheck(baseVersion)) expect(decodeState(bytes, other, new PathTable(), SESSION, LISTS_ALL)).toBeUndefined();
        expect(decodeState(bytes, undefined, new PathTable(), SESSION, LISTS_ALL)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("paths beyond the dictionary's limits go literally; indices from 62 on take the escape", () => {
    const dictionary = new PathDictionary();
    const table = new PathTable();
    const long = `/${"x".repeat(200)}`;
    const patch = [...Array.from({ length: 70 }, (_, i) => ({ op: "add" as const, path: `/k${i}`, value: i })), { op: "remove" as const, path: long }];
    const diff = encodeDiff(stateOf({}, [2], true, undefined, ["JSON"]), [1], patch, dictionary);
    expect(diff.needs).toBe(70);
    expect(dictionary.paths).not.toContain(long);
    const decoded = decodeState(withDefinitions(diff, dictionary, 0), [1], table, SESSION)!;
    expect(decoded.p).toEqual(patch);
    // The same diff again: every path already held, no definitions.
    expect(decodeState(encodeDiff(stateOf({}, [3], true, undefined, ["JSON"]), [2], patch, dictionary).bytes, [2], table, SESSION)!.p).toEqual(patch);
  });

  it("a diff against another base than the receiver holds, or none, is dropped, its definitions taken", () => {
    const dictionary = new PathDictionary();
    const diff = encodeDiff(stateOf({ a: 1 }, [5, 1], true, undefined, ["JSON"]), [5, 0], [{ op: "replace", path: "/a", value: 1 }], dictionary);
    const bytes = withDefinitions(diff, dictionary, 0);
    for (const base of [undefined, [5, 2], [4, 0]]) {
      const table = new PathTable();
      expect(decodeState(bytes, base, table, SESSION)).toBeUndefined();
      expect(table.paths).toEqual(["/a"]);
    }
  });
});

describe("state wire fuzzing", () => {
  /** What decoding `bytes` does: a state, nothing, or the typed error; anything else fails the test. */
  function decodeOrRefuse(bytes: Uint8Array, base: Version | undefined): void {
    const table = new PathTable();
    table.paths.push("/a", "/b");
    try {
      const state = decodeState(bytes, base, table, SESSION, LISTS_ALL);
      if (state !== undefined) expect(state.v.length).toBeGreaterThan(0);
    } catch (error) {
      if (!(error instanceof StateDecodeError)) throw error;
      expect(error.code).toBe("STATE_DECODE");
      expect(error.message).toContain(SESSION);
    }
  }

  it("random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.option(version, { nil: undefined }), (bytes, base) => decodeOrRefuse(bytes, base)),
      { numRuns: 2000 },
    );
  });

  const valid = fc.tuple(editedPair, version, version, fc.boolean(), epoch, fc.uint8Array({ maxLength: 40 }), opaqueFormat).map(([[before, after], baseVersion, v, s, e, bytes, f]) => {
    const dictionary = new PathDictionary();
    const state = stateOf(after, v, s, e, ["JSON"]);
    const diff = encodeDiff(state, baseVersion, diffJson(before, after), dictionary);
    const opaque = stateOf(bytes, v, s, e, f);
    const opaqueDiff = encodeBytesDiff(opaque, baseVersion, bytes);
    return { base: baseVersion, messages: [encodeFull(state), encodeFlag(state), diff.bytes, withDefinitions(diff, dictionary, 0), encodeFull(opaque), encodeFlag(opaque), opaqueDiff] };
  });

  it("valid states with one byte changed, or cut short", () => {
    fc.assert(
      fc.property(valid, fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), ({ base, messages }, which, at, xor) => {
        const message = messages[which % messages.length]!;
        if (message.length === 0) return;
        const mutated = message.slice();
        mutated[at % message.length]! ^= xor;
        decodeOrRefuse(mutated, base);
        decodeOrRefuse(message.subarray(0, at % message.length), base);
      }),
      { numRuns: 1500 },
    );
  });
});

describe("path dictionary", () => {
  it("gives each path one index, in order, beyond the size where it starts keeping a map too", () => {
    const dictionary = new PathDictionary();
    const paths = Array.from({ length: 100 }, (_, i) => `/p${i}`);
    expect(paths.map((path) => dictionary.intern(path))).toEqual(paths.map((_, i) => i));
    expect([...paths].reverse().map((path) => dictionary.intern(path))).toEqual(paths.map((_, i) => 99 - i));
    expect(dictionary.paths).toEqual(paths);
  });

  it("stops interning at its limits: the number of paths, and their length in UTF-8 bytes", () => {
    const dictionary = new PathDictionary();
    for (let i = 0; i < MAX_INTERNED_PATHS; i++) dictionary.intern(`/${i}`);
    expect(dictionary.intern("/one more")).toBeUndefined();
    expect(dictionary.intern("/0")).toBe(0);
    const small = new PathDictionary();
    expect(small.intern(`/${"a".repeat(MAX_INTERNED_PATH_BYTES - 1)}`)).toBe(0);
    expect(small.intern(`/${"a".repeat(MAX_INTERNED_PATH_BYTES)}`)).toBeUndefined();
    expect(small.intern(`/${"é".repeat(63)}`)).toBe(1); // 127 bytes
    expect(small.intern(`/${"é".repeat(64)}`)).toBeUndefined(); // 129 bytes
  });
});
