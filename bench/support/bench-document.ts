/**
 * The objects the fan-out benchmarks publish, in two shapes, and their updates. Update `k` is stamped
 * with the time it was made, so a receiver that knows `k` (hakuban: the version) or the patch (the
 * floor) can tell how long the update took to arrive. Publishers on both sides build the next document
 * the same way (an immutable update that shares every untouched part), so the user-side work is the
 * same whatever carries it.
 * - "table": a table of rows of about a given JSON size; update `k` stamps row `k mod rows`.
 * - "fields": the ~1 KB object of 20 fields of 36-character strings, `seq` and `t` (a float
 *   timestamp); update `k` sets `seq` to `k`, `t` to its stamp and changes one string field.
 */
import type { JsonValue } from "../../lib/index.js";
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

/** The string fields of a "fields" document. */
export const STRING_FIELDS = 20;

/** The "fields" document: `seq`, `t` and STRING_FIELDS fields `field0`… of 36-character strings. */
export type FieldsDocument = { readonly seq: number; readonly t: number; readonly [field: string]: string | number };

/** A 36-character string (UUID-like) that differs with `n`. */
function fieldText(n: number): string {
  return `${n.toString(16).padStart(8, "0")}-5e1f-4c3a-9b2d-7f60a1c2e3d4`;
}

/** The initial "fields" document, the same in every process. */
export function fieldsDocument(): FieldsDocument {
  const built: { [key: string]: string | number } = { seq: 0, t: 0 };
  for (let f = 0; f < STRING_FIELDS; f++) built[`field${f}`] = fieldText(f);
  // Built key by key, V8 keeps an object of this many keys as a slow dictionary; the states a node
  // holds come from JSON.parse or spreads, which V8 keeps fast, and so must this one.
  return JSON.parse(JSON.stringify(built)) as FieldsDocument;
}

/** Update `k` of a "fields" document, stamped `at`: `seq`, `t` and one string field, and the patch that makes it. */
export function nextFieldsDocument(document: FieldsDocument, k: number, at: number): { document: FieldsDocument; patch: PatchOperation[] } {
  const field = `field${(k * 7) % STRING_FIELDS}`;
  const text = fieldText(1000 + k);
  return {
    document: { ...document, seq: k, t: at, [field]: text },
    patch: [
      { op: "replace", path: "/seq", value: k },
      { op: "replace", path: "/t", value: at },
      { op: "replace", path: `/${field}`, value: text },
    ],
  };
}

/** Which object the publishers and observers of a benchmark use. */
export type DocumentShape = "table" | "fields";

/** What the benchmark machinery needs of a shape: its first document, its updates and where each update's stamp is. */
export interface ShapeOps {
  /** The first document; the "table" is at least `bytes` of JSON, the "fields" object is ~1 KB whatever `bytes` says. */
  initial(bytes: number): JsonValue;
  next(document: JsonValue, k: number, at: number): { document: JsonValue; patch: PatchOperation[] };
  /** The stamp of update `k` in the document it made (0: the initial document). */
  stampOf(document: JsonValue, k: number): number;
  /** The stamp an update's patch carries (0: none). */
  stampOfPatch(patch: readonly PatchOperation[]): number;
}

/** Each shape's operations. */
export const SHAPES: Readonly<Record<DocumentShape, ShapeOps>> = {
  table: {
    initial: (bytes) => benchDocument(bytes),
    next: (document, k, at) => nextDocument(document as BenchDocument, k, at),
    stampOf: (document, k) => {
      const table = document as BenchDocument;
      return table.rows[stampedRow(table, k)]!.at;
    },
    stampOfPatch: (patch) => {
      const first = patch[0];
      return first !== undefined && first.op !== "remove" ? Number(first.value) : 0;
    },
  },
  fields: {
    initial: () => fieldsDocument(),
    next: (document, k, at) => nextFieldsDocument(document as FieldsDocument, k, at),
    stampOf: (document) => (document as FieldsDocument).t,
    stampOfPatch: (patch) => {
      const t = patch.find((op) => op.path === "/t");
      return t !== undefined && t.op !== "remove" ? Number(t.value) : 0;
    },
  },
};
