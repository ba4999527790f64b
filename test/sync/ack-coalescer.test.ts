import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { ACK_DELAY_MS, ACK_EVERY, AckCoalescer } from "../../lib/sync/ack-coalescer.js";
import type { AckPayload } from "../../lib/sync/object-session.js";
import { STATE_WINDOW } from "../../lib/sync/state-sender.js";

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

/** Owners that record their name for each ack they send, and the acks themselves. */
function owners(...names: string[]) {
  const flushed: string[] = [];
  const acks: AckPayload[] = [];
  const make = (name: string) => ({
    sendAck: (ack: AckPayload) => {
      flushed.push(name);
      acks.push(ack);
    },
  });
  return { flushed, acks, owners: names.map(make) };
}

const holds = (version: number): AckPayload => ({ v: [version] });

it("acknowledges before the sender's window fills", () => {
  expect(ACK_EVERY).toBeGreaterThan(1);
  expect(ACK_EVERY).toBeLessThan(STATE_WINDOW);
});

it("holds acknowledgements for ACK_DELAY_MS, then sends one per owner", async () => {
  const coalescer = new AckCoalescer();
  const { flushed, acks, owners: [a, b] } = owners("a", "b");
  coalescer.add(a!, holds(1));
  coalescer.add(b!, holds(1));
  coalescer.add(a!, holds(2));
  await vi.advanceTimersByTimeAsync(ACK_DELAY_MS - 1);
  expect(flushed).toEqual([]);
  await vi.advanceTimersByTimeAsync(1);
  expect(flushed).toEqual(["a", "b"]);
  expect(acks).toEqual([holds(2), holds(1)]); // a's newest ack answers both of its states
  coalescer.add(a!, holds(3));
  await vi.advanceTimersByTimeAsync(ACK_DELAY_MS);
  expect(flushed).toEqual(["a", "b", "a"]);
});

it("sends after the burst once an owner has ACK_EVERY states waiting, and everyone waiting goes along", async () => {
  const coalescer = new AckCoalescer();
  const { flushed, owners: [a, b] } = owners("a", "b");
  coalescer.add(b!, holds(1));
  for (let i = 1; i <= ACK_EVERY; i++) coalescer.add(a!, holds(i));
  expect(flushed).toEqual([]); // not inside the burst
  await Promise.resolve();
  expect(flushed).toEqual(["b", "a"]);
  await vi.advanceTimersByTimeAsync(ACK_DELAY_MS * 2);
  expect(flushed).toEqual(["b", "a"]); // the timer went with them
});

it("sends an urgent acknowledgement after the burst", async () => {
  const coalescer = new AckCoalescer();
  const { flushed, owners: [a] } = owners("a");
  coalescer.add(a!, { resync: true });
  expect(flushed).toEqual([]);
  await Promise.resolve();
  expect(flushed).toEqual(["a"]);
});

it("drops what waits when closed, leaves no timer and takes nothing more", async () => {
  const coalescer = new AckCoalescer();
  const { flushed, owners: [a] } = owners("a");
  coalescer.add(a!, holds(1));
  coalescer.close();
  expect(vi.getTimerCount()).toBe(0);
  coalescer.add(a!, { resync: true });
  await vi.advanceTimersByTimeAsync(ACK_DELAY_MS * 2);
  expect(flushed).toEqual([]);
});
