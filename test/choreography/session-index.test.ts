/**
 * The session index (id → row) agrees with a Map on any sequence of additions and removals, through
 * its growth and shrinking and deletions in the middle of probe runs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NO_ROW, SessionIndex } from "../../lib/choreography/session-index.js";

type Op = readonly ["set" | "delete", number];

describe("SessionIndex", () => {
  it("answers like a Map for ids that increase, ids anywhere up to 2^32 - 1, and ids that collide", () => {
    const id = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 40 }).map((n) => n * 65_536));
    const op = fc.tuple(fc.constantFrom("set" as const, "delete" as const), id);
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops: Op[]) => {
        const index = new SessionIndex();
        const model = new Map<number, number>();
        let row = 0;
        for (const [kind, key] of ops) {
          if (kind === "set") {
            if (model.has(key)) continue;
            model.set(key, row);
            index.set(key, row++);
          } else {
            expect(index.delete(key)).toBe(model.delete(key));
          }
          expect(index.size).toBe(model.size);
        }
        for (const [key, value] of model) expect(index.get(key)).toBe(value);
        for (const [, key] of ops) if (!model.has(key)) expect(index.get(key)).toBe(NO_ROW);
        // Then every id goes, the index shrinking on the way, and the rest stay found.
        const left = [...model.keys()];
        for (let i = 0; i < left.length; i++) {
          expect(index.delete(left[i]!)).toBe(true);
          for (const key of left.slice(i + 1, i + 9)) expect(index.get(key)).toBe(model.get(key));
        }
        expect(index.size).toBe(0);
      }),
      { numRuns: 200, seed: 14 },
    );
  });

  it("holds 100,000 ids of sessions opened one after another, and lets them all go", () => {
    const index = new SessionIndex();
    for (let id = 1; id <= 100_000; id++) index.set(id, id - 1);
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
