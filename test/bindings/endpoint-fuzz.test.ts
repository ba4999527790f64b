/**
 * Random and mutated carrier messages into live choreography endpoints running over the real binding
 * (session mux on a memory carrier): honest runs finish cleanly; a damaged message always ends in
 * typed errors and closed sessions (or, when it was cut at a frame boundary, in a stall that closing
 * the connection ends the same way), never an uncaught exception, an unhandled rejection or an
 * operation left pending.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collectUnhandledRejections } from "../unhandled-rejections.js";
import { ChoreographyError } from "../../lib/choreography/index.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { createSessionMux } from "../../bindings/session-mux.js";
import { startLinkRun } from "./link-run.js";
import { messageDamageArb, OneDamage, type MessageDamage, type MessagesCarried } from "./message-damage.js";

const rejections = collectUnhandledRejections();

const settle = async () => {
  for (let round = 0; round < 5; round++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
};

async function run(interests: number, damage?: MessageDamage) {
  const memory = createMemoryCarrierPair();
  const once = damage === undefined ? undefined : new OneDamage(damage, await carried(interests));
  if (once !== undefined) memory.faults.corrupt(once.apply);
  const { down, up, tasks } = startLinkRun(createSessionMux(memory.a), createSessionMux(memory.b), interests);
  await settle();
  return { down, up, errors: tasks.errors, pending: tasks.pending, memory, damageApplied: once?.applied };
}

const honestTraffic = new Map<number, MessagesCarried>();

/** What an honest run with `interests` sends each way (runs over memory carriers are deterministic). */
async function carried(interests: number): Promise<MessagesCarried> {
  const known = honestTraffic.get(interests);
  if (known !== undefined) return known;
  const { down, up, memory } = await run(interests);
  expect([down.state, up.state]).toEqual(["done", "done"]);
  const { aToB, bToA } = memory.faults.counters;
  const counts = { aToB: aToB.messagesSent, bToA: bToA.messagesSent };
  honestTraffic.set(interests, counts);
  memory.a.close();
  return counts;
}

describe("endpoints over the session mux", () => {
  it("finish an honest run cleanly", async () => {
    const { down, up, errors, pending } = await run(5);
    expect(errors).toEqual([]);
    expect(pending.size).toBe(0);
    expect([down.state, up.state]).toEqual(["done", "done"]);
  });

  it("end every damaged run in typed errors and closed sessions", async () => {
    let faulted = 0;
    let stalled = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(6), messageDamageArb, async (interests, damage) => {
        const { down, up, errors, pending, memory, damageApplied } = await run(interests, damage);
        expect(damageApplied).toBe(true);
        if (pending.size > 0) {
          // Cut cleanly at a frame boundary, a message is indistinguishable from one lost in transit:
          // the run stalls with the connection up until a keep-alive (above this layer) gives up.
          stalled++;
          expect([down.state, up.state]).toEqual(["open", "open"]);
          memory.a.close("keep-alive timeout");
          await settle();
        }
        for (const error of errors) expect(error).toBeInstanceOf(ChoreographyError);
        expect([...pending]).toEqual([]);
        for (const endpoint of [down, up]) {
          expect(["done", "faulted"]).toContain(endpoint.state);
          if (endpoint.state === "faulted") {
            faulted++;
            expect(endpoint.fault).toBeInstanceOf(ChoreographyError);
          }
        }
        memory.a.close();
      }),
      { numRuns: 150, seed: 20261121 },
    );
    expect(faulted).toBeGreaterThan(stalled);
    expect(rejections).toEqual([]);
  });
});
