import { describe, expect, it } from "vitest";
import { LocalNode } from "../../lib/index.js";
import { REBALANCE_THRESHOLD } from "../../lib/exchange/election.js";

/**
 * A tag exposer of capacity 100 elected for `objects` observed objects, then a second one of capacity 1:
 * the first is loaded `objects / 100`, the newcomer would be loaded 1 after taking one object. Returns
 * how many objects each ends up with.
 */
function joinAgainst(objects: number): { first: number; newcomer: number } {
  const node = new LocalNode();
  const first = node.tag("job").expose({ capacity: 100 });
  for (let i = 0; i < objects; i++) node.object(["job"], i).observe();
  expect(first.assigned.length).toBe(objects);
  const newcomer = node.tag("job").expose({ capacity: 1 });
  return { first: first.assigned.length, newcomer: newcomer.assigned.length };
}

describe("election hysteresis", () => {
  it(`moves nothing for an imbalance just under the threshold (${REBALANCE_THRESHOLD}), and one object just over it`, () => {
    // 119 objects: loaded 1.19, under 1.2 times the newcomer's 1 (a threshold of 0.2): nothing moves.
    expect(joinAgainst(119)).toEqual({ first: 119, newcomer: 0 });
    // 121 objects: loaded 1.21, over it: one object moves, and then the balance holds.
    expect(joinAgainst(121)).toEqual({ first: 120, newcomer: 1 });
  });
});
