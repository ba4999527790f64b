/** Parts of the monitor: its bounded ranking lists the same first items as sorting them all would, in that order; its event ring keeps the last ones. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topRanked } from "../../lib/monitor/top-ranked.js";
import { EventRing } from "../../lib/monitor/event-ring.js";

describe("bounded ranking", () => {
  it("is the sorted list's head", () => {
    const byRateThenName = (a: readonly [number, string], b: readonly [number, string]) =>
      b[0] - a[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.string({ maxLength: 3 }))), fc.integer({ min: 0, max: 12 }), (items, limit) => {
        expect(topRanked(items, limit, byRateThenName)).toEqual([...items].sort(byRateThenName).slice(0, limit));
      }),
      { numRuns: 300, seed: 13 },
    );
  });
});

describe("event ring", () => {
  it("holds the last items pushed, oldest first", () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer({ min: 0, max: 6 }), (items, capacity) => {
        const ring = new EventRing<number>(capacity);
        for (const item of items) ring.push(item);
        expect(ring.toArray()).toEqual(capacity === 0 ? [] : items.slice(-capacity));
      }),
      { numRuns: 200, seed: 13 },
    );
  });
});
