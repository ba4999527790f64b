/**
 * The object the fan-out benchmarks publish: a table of rows of about a given JSON size, and its
 * one-field update. Update `k` stamps row `k mod rows` with the time it was made, so a receiver that
 * knows `k` (hakuban: the version; the floor: the patch) can tell how long the update took to arrive.
 * Publishers on both sides build the next document the same way (an immutable update that shares
 * every untouched row), so the user-side work is the same whatever carries it.
 */
import type { PatchOperation } from "../../lib/sync/json-patch/index.js";

/** One row of the table. `at` is the field updates change. */
export type BenchRow = {
  readonly id: number;
  readonly name: string;
  readonly city: string;
  readonly score: number;
  readonly active: boolean;
  readonly at: number;
};

/** The published object. */
export type BenchDocument = {
  readonly rows: readonly BenchRow[];
};

/** A document of at least `bytes` bytes of JSON, the same in every process. */
export function benchDocument(bytes: number): BenchDocument {
  const rows: BenchRow[] = [];
  for (let id = 0; JSON.stringify(rows).length < bytes; id++) {
    rows.push({ id, name: `user-${id.toString(36)}-${(id * 7919) % 1000}`, city: ["Kraków", "Lisbon", "Osaka", "Lima"][id % 4]!, score: (id * 37) % 1000, active: id % 3 === 0, at: 0 });
  }
  return { rows };
}

/** The row update `k` stamps. */
export function stampedRow(document: BenchDocument, k: number): number {
  return k % document.rows.length;
}

/** Update `k` of `document`, stamped `at`: the new document and the one-operation JSON Patch that makes it. */
export function nextDocument(document: BenchDocument, k: number, at: number): { document: BenchDocument; patch: PatchOperation[] } {
  const index = stampedRow(document, k);
  const rows = document.rows.slice();
  rows[index] = { ...rows[index]!, at };
  return { document: { rows }, patch: [{ op: "replace", path: `/rows/${index}/at`, value: at }] };
}
