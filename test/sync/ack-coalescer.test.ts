import { expect, it } from "vitest";
import { AckCoalescer } from "../../lib/sync/ack-coalescer.js";
import type { AckPayload } from "../../lib/sync/object-session.js";

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

const resync = (version: number): AckPayload => ({ v: [version], resync: true });

it("sends after the current turn one acknowledgement per owner, its newest, everyone waiting together", async () => {
  const coalescer = new AckCoalescer();
  const { flushed, acks, owners: [a, b] } = owners("a", "b");
  coalescer.add(a!, resync(1));
  coalescer.add(b!, resync(1));
  coalescer.add(a!, resync(2));
  expect(flushed).toEqual([]); // not inside the burst
  await Promise.resolve();
  expect(flushed).toEqual(["a", "b"]);
  expect(acks).toEqual([resync(2), resync(1)]);
  coalescer.add(a!, resync(3));
  await Promise.resolve();
  expect(flushed).toEqual(["a", "b", "a"]);
});

it("drops what waits when closed and takes nothing more", async () => {
  const coalescer = new AckCoalescer();
  const { flushed, owners: [a] } = owners("a");
  coalescer.add(a!, resync(1));
  coalescer.close();
  coalescer.add(a!, { resync: true });
  await Promise.resolve();
  await Promise.resolve();
  expect(flushed).toEqual([]);
});
