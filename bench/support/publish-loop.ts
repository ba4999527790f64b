/**
 * How the fan-out benchmarks drive a publisher: flat out (saturation: a few updates, then a turn of the
 * event loop so the sockets can move, for as long as the window lasts) or at a fixed rate (for latency,
 * where the pipeline must not be the bottleneck). Topics are taken round-robin.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import type { Publisher } from "./publisher.js";

/** Updates published per event-loop turn at saturation. */
const BURST = 4;

/** Publishes as fast as `publisher` takes updates for `ms` milliseconds; returns how many it published. */
export async function publishFlatOut(publisher: Publisher, topics: readonly number[], ms: number): Promise<number> {
  const end = performance.now() + ms;
  let published = 0;
  let next = 0;
  while (performance.now() < end) {
    for (let i = 0; i < BURST && publisher.publish(topics[next % topics.length]!); i++) {
      published++;
      next++;
    }
    await nextTurn();
  }
  return published;
}

/**
 * Publishes `perSecond` updates a second for `ms` milliseconds, one per timer tick at its due time (a
 * late tick publishes one update, never a catch-up burst); returns how many it published.
 */
export async function publishAtRate(publisher: Publisher, topics: readonly number[], perSecond: number, ms: number): Promise<number> {
  const interval = 1000 / perSecond;
  const end = performance.now() + ms;
  let published = 0;
  for (let due = performance.now(); due < end; ) {
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (publisher.publish(topics[published % topics.length]!)) published++;
    due += interval;
    const now = performance.now();
    if (due < now) due = now + interval; // too late for the next one too: skip it rather than burst
  }
  return published;
}
