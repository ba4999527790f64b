/**
 * JSON Patch, ours against fast-json-patch (`compare`, `applyPatch`) in the same run, on two states:
 * a realistic 64 KB state (records with repeated keys) with one field changed, and the fan-out
 * workload's 1 KB object (20 fields of 36-character strings, `seq` and a float timestamp `t`) whose
 * update bumps `seq`, sets `t` and changes one string field. Both sides diff the same immutable updates
 * (copies along the changed path, everything else shared) and apply the same patches; each side keeps
 * its best round of calls interleaved with the other's. Also: the 64 KB state's diff and apply against
 * JSON.stringify of the full state (what sending the full state costs at least), and patch sizes.
 */
import fastJsonPatch, { type Operation } from "fast-json-patch";
import { jsonEqual } from "../lib/descriptor/json-equal.js";
import type { JsonValue } from "../lib/descriptor/json-value.js";
import { freezeDeep } from "../lib/state/frozen-data.js";
import { applyPatch, diffJson, type PatchOperation } from "../lib/sync/json-patch/index.js";
import { recordsState } from "../test/sync/json-patch/json-fixtures.js";
import type { BenchResult, BenchScenario } from "./result.js";
import { bestRates, type RateOptions } from "./support/interleaved-rates.js";

/** Updates of each state, cycled through so no call sees the same input twice in a row. */
const VARIANTS = 64;
const ROUNDS: RateOptions = { roundMs: 200, rounds: 5 };
/** bestRates counts megabytes per second of inputs of a given size: one "megabyte" a call makes it calls per second. */
const PER_CALL = 1_000_000;

/** A state, its updates, and our and fast-json-patch's patches from the state to each update. */
interface Workload {
  readonly label: string;
  readonly state: JsonValue;
  readonly updates: readonly JsonValue[];
  readonly ours: readonly PatchOperation[][];
  readonly theirs: readonly Operation[][];
}

/** `state` and its `updates`, checked: each side's patch, applied by the other side, makes the update. */
function workload(label: string, state: JsonValue, updates: readonly JsonValue[]): Workload {
  freezeDeep(state); // what a node holds, diffs against and patches: frozen data
  for (const update of updates) freezeDeep(update);
  const ours = updates.map((update) => diffJson(state, update));
  const theirs = updates.map((update) => fastJsonPatch.compare(state as object, update as object));
  updates.forEach((update, v) => {
    const byThem = fastJsonPatch.applyPatch(structuredClone(state), structuredClone(ours[v]!) as Operation[], true).newDocument;
    const byUs = applyPatch(state, structuredClone(theirs[v]!) as PatchOperation[]);
    if (!jsonEqual(byThem, update) || !jsonEqual(byUs, update)) throw new Error(`The ${label} patches do not make their updates; the scenario is broken.`);
  });
  return { label, state, updates, ours, theirs };
}

/** The 64 KB state of records, and updates that each change one record's price. */
function recordsWorkload(): Workload {
  const state = recordsState(64 * 1024);
  const step = Math.floor(state.records.length / VARIANTS);
  const updates = Array.from({ length: VARIANTS }, (_, v) => {
    const records = state.records.slice();
    records[v * step] = { ...records[v * step]!, price: 1000 + v };
    return { ...state, records };
  });
  return workload("64KB", state, updates);
}

/** The fan-out workload's 1 KB object: 20 fields of 36-character strings, `seq` and `t`. */
function fieldsWorkload(): Workload {
  const text = (n: number) => `${n.toString(16).padStart(8, "0")}-5e1f-4c3a-9b2d-7f60a1c2e3d4`;
  const built: { [key: string]: JsonValue } = { seq: 0, t: 1765100000123.456 };
  for (let f = 0; f < 20; f++) built[`field${f}`] = text(f);
  // Built key by key, V8 keeps an object of this many keys as a dictionary, slow to copy; the states a
  // node holds come from JSON.parse or spreads, which V8 keeps fast, and so must this one.
  const state = JSON.parse(JSON.stringify(built)) as { [key: string]: JsonValue };
  const updates = Array.from({ length: VARIANTS }, (_, v) => ({
    ...state,
    seq: v + 1,
    t: 1765100000123.456 + (v + 1) * 4.987,
    [`field${v % 20}`]: text(1000 + v),
  }));
  return workload("1KB", state, updates);
}

/** UTF-8 bytes of a patch's JSON text, averaged over `patches`. */
function meanBytes(patches: readonly (readonly object[])[]): number {
  const encoder = new TextEncoder();
  return patches.reduce((sum, patch) => sum + encoder.encode(JSON.stringify(patch)).length, 0) / patches.length;
}

/** Best calls per second of `ours` and `theirs`, interleaved; each call gets the next update's index. */
function rates(ours: (v: number) => unknown, theirs: (v: number) => unknown): [number, number] {
  let i = 0;
  let j = 0;
  const call = (f: (v: number) => unknown, v: number) => (f(v % VARIANTS) === undefined ? 0 : 1);
  return bestRates(PER_CALL, () => call(ours, i++), () => call(theirs, j++), ROUNDS);
}

/** Ours against fast-json-patch on `work`: diff, apply (against its in-place and its copying apply), patch size. */
function againstFastJsonPatch(work: Workload, progress: (message: string) => void): BenchResult[] {
  const { label, state, updates, ours, theirs } = work;
  progress(`${label}: diffJson against compare`);
  const [diff, compare] = rates(
    (v) => diffJson(state, updates[v]!),
    (v) => fastJsonPatch.compare(state as object, updates[v] as object),
  );
  progress(`${label}: applyPatch against fast-json-patch's applyPatch in place`);
  const inPlace = structuredClone(state); // fast-json-patch writes into it: a copy of its own, never frozen
  const [apply, applyInPlace] = rates(
    (v) => applyPatch(state, ours[v]!),
    (v) => fastJsonPatch.applyPatch(inPlace, theirs[v]!).newDocument,
  );
  progress(`${label}: applyPatch against fast-json-patch's applyPatch on a copy`);
  const [applyAgain, applyCopying] = rates(
    (v) => applyPatch(state, ours[v]!),
    (v) => fastJsonPatch.applyPatch(state, theirs[v]!, false, false).newDocument,
  );
  const ourBytes = meanBytes(ours);
  const theirBytes = meanBytes(theirs);
  return [
    {
      name: `json-patch/diff ${label} vs compare`,
      value: diff,
      unit: "diffs/s",
      baseline: { name: "fast-json-patch compare", value: compare },
      ratio: diff / compare,
      goal: { of: "ratio", is: ">=", bound: 1 },
      notes: "both skip subtrees the update shares by reference",
    },
    {
      name: `json-patch/apply ${label} vs applyPatch in place`,
      value: apply,
      unit: "applies/s",
      baseline: { name: "fast-json-patch applyPatch, mutating", value: applyInPlace },
      ratio: apply / applyInPlace,
      notes: "ours copies the containers on the path and leaves the frozen state as it is; in place writes into a state nobody else may hold",
    },
    {
      name: `json-patch/apply ${label} vs applyPatch on a copy`,
      value: applyAgain,
      unit: "applies/s",
      baseline: { name: "fast-json-patch applyPatch, mutateDocument false", value: applyCopying },
      ratio: applyAgain / applyCopying,
      goal: { of: "ratio", is: ">=", bound: 1 },
      notes: "the way fast-json-patch leaves a held (shared, frozen) state untouched: it clones the whole document",
    },
    {
      name: `json-patch/patch size ${label} vs compare`,
      value: ourBytes,
      unit: "B",
      baseline: { name: "fast-json-patch compare", value: theirBytes },
      ratio: theirBytes / ourBytes,
      goal: { of: "ratio", is: ">=", bound: 1 },
      notes: `JSON text of the patch; ${ours[0]!.length} operation(s) each`,
    },
  ];
}

/** The 64 KB state's diff and apply against JSON.stringify of the full state, the patch against the state, and a diff that shares nothing. */
function againstFullState(work: Workload, progress: (message: string) => void): BenchResult[] {
  const { state, updates, ours } = work;
  const stringify = () => JSON.stringify(state);
  progress("64KB: diffJson and applyPatch against JSON.stringify of the state");
  const [diff, stringifyForDiff] = rates((v) => diffJson(state, updates[v]!), stringify);
  const [apply, stringifyForApply] = rates((v) => applyPatch(state, ours[v]!), stringify);
  progress("64KB: diffJson against compare, on updates sharing nothing");
  // The same updates as after parsing them from text: both diffs must walk everything.
  const unshared = updates.map((update) => structuredClone(update));
  const [diffUnshared, compareUnshared] = rates(
    (v) => diffJson(state, unshared[v]!),
    (v) => fastJsonPatch.compare(state as object, unshared[v] as object),
  );
  const patchBytes = meanBytes(ours);
  const stateBytes = new TextEncoder().encode(JSON.stringify(state)).length;
  return [
    {
      name: "json-patch/diff 64KB vs JSON.stringify",
      value: diff,
      unit: "diffs/s",
      baseline: { name: "JSON.stringify(state)", value: stringifyForDiff },
      ratio: diff / stringifyForDiff,
      goal: { of: "ratio", is: ">", bound: 1 },
      notes: "unchanged records are skipped by reference",
    },
    {
      name: "json-patch/apply 64KB vs JSON.stringify",
      value: apply,
      unit: "applies/s",
      baseline: { name: "JSON.stringify(state)", value: stringifyForApply },
      ratio: apply / stringifyForApply,
      goal: { of: "ratio", is: ">", bound: 1 },
      notes: "to a deep-frozen state, as nodes hold them; copies the root, the records array and one record",
    },
    {
      name: "json-patch/diff 64KB, nothing shared, vs compare",
      value: diffUnshared,
      unit: "diffs/s",
      baseline: { name: "fast-json-patch compare", value: compareUnshared },
      ratio: diffUnshared / compareUnshared,
      notes: "worst case: every record compared by value",
    },
    {
      name: "json-patch/patch size 64KB vs full state",
      value: patchBytes,
      unit: "B",
      baseline: { name: "full state JSON", value: stateBytes },
      ratio: stateBytes / patchBytes,
      goal: { of: "ratio", is: ">=", bound: 50, says: "patch < 2% of the state" },
      notes: `${((patchBytes / stateBytes) * 100).toFixed(3)}% of the state`,
    },
  ];
}

const scenario: BenchScenario = {
  name: "json-patch (ours against fast-json-patch; 64 KB state, 1 KB fan-out object)",
  async run(progress) {
    const records = recordsWorkload();
    const fields = fieldsWorkload();
    return [...againstFastJsonPatch(records, progress), ...againstFullState(records, progress), ...againstFastJsonPatch(fields, progress)];
  },
};
export default scenario;
