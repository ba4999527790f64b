/**
 * The session index (id → row) agrees with a Map on any sequence of additions and removals, through
 * its growth and shrinking and deletions in the middle of probe runs. It reads each row's id from the
 * rows it is given (as the session table keeps it), and never the id cell of a row it let go, which the
 * table reuses for its free list.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NO_ROW, SessionIndex, type RowIds } from "../../lib/choreography/session-index.js";

type Op = readonly ["set" | "delete", number];

/** Row ids as a session table holds them: a row's id cell, overwritten once the row is let go. */
class Rows implements RowIds {
  private readonly ids: number[] = [];

  /** A new row holding `id`. */
  add(id: number): number {
    this.ids.push(id | 0);
    return this.ids.length - 1;
  }

  /** Row `row` is let go: its id cell now holds something else (the table links its free rows through it). */
  free(row: number): void {
    this.ids[row] = -7 - row;
  }

  idOfRow(row: number): number {
    return this.ids[row]!;
  }
}

describe("SessionIndex", () => {
  it("answers like a Map for ids that increase, ids anywhere up to 2^32 - 1, and ids that collide", () => {
    const id = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 40 }).map((n) => n * 65_536));
    const op = fc.tuple(fc.constantFrom("set" as const, "delete" as const), id);
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops: Op[]) => {
        const rows = new Rows();
        const index = new SessionIndex(rows);
        const model = new Map<number, number>();
        for (const [kind, key] of ops) {
          if (kind === "set") {
            if (model.has(key)) continue;
            const row = rows.add(key);
            model.set(key, row);
            index.set(key, row);
          } else {
            const row = model.get(key);
            expect(index.delete(key)).toBe(model.delete(key));
            if (row !== undefined) rows.free(row);
          }
          expect(index.size).toBe(model.size);
        }
        for (const [key, value] of model) expect(index.get(key)).toBe(value);
        for (const [, key] of ops) if (!model.has(key)) expect(index.get(key)).toBe(NO_ROW);
        // Then every id goes, the index shrinking on the way, and the rest stay found.
        const left = [...model.keys()];
        for (let i = 0; i < left.length; i++) {
          expect(index.delete(left[i]!)).toBe(true);
          rows.free(model.get(left[i]!)!);
          for (const key of left.slice(i + 1, i + 9)) expect(index.get(key)).toBe(model.get(key));
        }
        expect(index.size).toBe(0);
      }),
      { numRuns: 200, seed: 14 },
    );
  });

  it("holds 100,000 ids of sessions opened one after another, and lets them all go", () => {
    const rows = new Rows();
    const index = new SessionIndex(rows);
    for (let id = 1; id <= 100_000; id++) index.set(id, rows.add(id));
    expect(index.get(1)).toBe(0);
    expect(index.get(100_000)).toBe(99_999);
    expect(index.get(100_001)).toBe(NO_ROW);
    for (let id = 1; id <= 100_000; id += 2) index.delete(id);
    expect(index.get(50_000)).toBe(49_999);
    expect(index.get(49_999)).toBe(NO_ROW);
    for (let id = 2; id <= 100_000; id += 2) index.delete(id);
    expect(index.size).toBe(0);
    expect(index.get(2)).toBe(NO_ROW);
  });
});
