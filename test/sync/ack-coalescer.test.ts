import { expect, it } from "vitest";
import { AckCoalescer } from "../../lib/sync/ack-coalescer.js";

it("sends one acknowledgement per owner per burst, after the burst", async () => {
  const coalescer = new AckCoalescer();
  const flushed: string[] = [];
  const a = { flushAck: () => flushed.push("a") };
  const b = { flushAck: () => flushed.push("b") };
  coalescer.add(a);
  coalescer.add(b);
  coalescer.add(a);
  expect(flushed).toEqual([]);
  await Promise.resolve();
  expect(flushed).toEqual(["a", "b"]);
  coalescer.add(a);
  await Promise.resolve();
  expect(flushed).toEqual(["a", "b", "a"]);
});
