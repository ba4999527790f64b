/**
 * Issue "JSON Patch diffs" figures, for a realistic 64 KB state (records with repeated keys) with one
 * field changed: the cost of diffJson and of applyPatch, each against JSON.stringify of the full state
 * in the same run (what sending the full state costs at least), and the patch's size against the state's.
 */
import type { JsonValue } from "../lib/descriptor/json-value.js";
import { applyPatch, diffJson, type PatchOperation } from "../lib/sync/json-patch/index.js";
import { freezeDeep } from "../lib/state/frozen-data.js";
import { recordsState } from "../test/sync/json-patch/json-fixtures.js";
import type { BenchResult, BenchScenario } from "./result.js";

const VARIANTS = 64;

/** Best rate (operations per second) over five rounds of `n` calls, after a warm-up. */
function rate(call: (i: number) => unknown, n: number): number {
  let sink = 0;
  const run = (count: number) => {
    for (let i = 0; i < count; i++) if (call(i) === undefined) sink++;
  };
  run(Math.min(n, 2_000));
  let best = 0;
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    run(n);
    best = Math.max(best, n / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  if (sink < 0) throw new Error("unreachable");
  return best;
}

const scenario: BenchScenario = {
  name: "json-patch (64 KB state, one field changed)",
  async run(progress) {
    const state = recordsState(64 * 1024);
    const stateText = JSON.stringify(state);
    const step = Math.floor(state.records.length / VARIANTS);
    // Immutable updates, as exposers make them: copies along the changed path, everything else shared.
    const shared = Array.from({ length: VARIANTS }, (_, v) => {
      const records = state.records.slice();
      records[v * step] = { ...records[v * step]!, price: 1000 + v };
      return { ...state, records };
    });
    // The same states with nothing shared, as after parsing them from text: the diff must walk everything.
    const unshared = shared.map((s) => JSON.parse(JSON.stringify(s)) as JsonValue);
    const patches: PatchOperation[][] = shared.map((s) => diffJson(state, s));
    const n = 20_000;

    progress("JSON.stringify of the full state (baseline)");
    const stringify = rate(() => JSON.stringify(state), 2_000);
    progress("diffJson against an immutable update");
    const diffShared = rate((i) => diffJson(state, shared[i % VARIANTS]!), n);
    progress("diffJson against a state sharing nothing");
    const diffUnshared = rate((i) => diffJson(state, unshared[i % VARIANTS]!), 2_000);
    progress("applyPatch to a held (deep-frozen) state");
    const held = structuredClone(state);
    freezeDeep(held); // what a node holds and patches: frozen data
    const apply = rate((i) => applyPatch(held, patches[i % VARIANTS]!), n);

    const patchBytes = patches.reduce((sum, p) => sum + new TextEncoder().encode(JSON.stringify(p)).length, 0) / VARIANTS;
    const stateBytes = new TextEncoder().encode(stateText).length;
    const baseline = { name: "JSON.stringify(state)", value: stringify };
    const results: BenchResult[] = [
      {
        name: "json-patch/diff (immutable update)",
        value: diffShared,
        unit: "diffs/s",
        baseline,
        ratio: diffShared / stringify,
        goal: { of: "ratio", is: ">", bound: 1 },
        notes: "unchanged records are skipped by reference",
      },
      {
        name: "json-patch/diff (nothing shared)",
        value: diffUnshared,
        unit: "diffs/s",
        baseline,
        ratio: diffUnshared / stringify,
        notes: "worst case: every record compared by value",
      },
      {
        name: "json-patch/apply",
        value: apply,
        unit: "applies/s",
        baseline,
        ratio: apply / stringify,
        goal: { of: "ratio", is: ">", bound: 1 },
        notes: "to a deep-frozen state, as nodes hold them; copies the root, the records array and one record",
      },
      {
        name: "json-patch/patch size",
        value: patchBytes,
        unit: "B",
        baseline: { name: "full state JSON", value: stateBytes },
        ratio: stateBytes / patchBytes,
        goal: { of: "ratio", is: ">=", bound: 50, says: "patch < 2% of the state" },
        notes: `${(patchBytes / stateBytes * 100).toFixed(3)}% of the state; ${state.records.length} records`,
      },
    ];
    return results;
  },
};
export default scenario;
