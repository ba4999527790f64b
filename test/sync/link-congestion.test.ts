/**
 * What a parent queues toward a child that stops reading (a memory link whose parent-to-child direction
 * is paused): over queueBytes each object's sender keeps only its latest state, so the queue stays near
 * the bound however many updates there are, and the child ends with the latest states once it reads
 * again; a queue at maxQueueBytes, or congested for maxCongestedMs, closes that link while another
 * child of the same parent keeps receiving.
 */
import { afterEach, expect, it } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { LocalNode, ObjectDescriptor, type ObjectExpose, type ObjectObserve } from "../../lib/index.js";
import { DownstreamLink } from "../../lib/sync/down/downstream-link.js";
import { LinkLimitError } from "../../lib/sync/link-limit-error.js";
import type { LinkLimitEvent, LinkLimits } from "../../lib/sync/link-limits.js";
import { UpstreamLink } from "../../lib/sync/up/upstream-link.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { settle } from "./tree-fixture.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function node(name: string): LocalNode {
  const made = new LocalNode({ name });
  cleanup.push(() => made.close());
  return made;
}

/** Links a new node named `name` under `root` with these limits on the parent's side. */
function child(root: LocalNode, name: string, limits: Partial<LinkLimits> = {}) {
  const childNode = node(name);
  const memory = createMemoryCarrierPair();
  const parentMux = createSessionMux(memory.b);
  const events: LinkLimitEvent[] = [];
  const down = new DownstreamLink(root, parentMux, { linkLimits: limits, onLimit: (event) => events.push(event) });
  const up = new UpstreamLink(childNode);
  const generation = up.run(createSessionMux(memory.a));
  let result: Error | undefined | null = null;
  void down.closed.then((error) => (result = error));
  cleanup.push(async () => {
    memory.faults.resume();
    await up.close();
    await generation;
    await down.closed;
  });
  return {
    node: childNode,
    events,
    /** Bytes queued toward the child: the parent's batch and its carrier's buffer. */
    get queued() {
      return parentMux.bufferedAmount;
    },
    /** The child stops reading (or reads again). */
    pause: () => memory.faults.pause("bToA"),
    resume: () => memory.faults.resume("bToA"),
    /** What the parent's link ended with: null while it runs. */
    get result() {
      return result;
    },
  };
}

/** `length` characters that do not compress (a fixed pseudo-random sequence). */
function noise(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let x = 0x9e3779b9;
  let text = "";
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    text += alphabet[(x >>> 0) & 63];
  }
  return text;
}

/** About 2 KB of data for update `k` of object `i`, different each time so every state is sent. */
const bulky = (i: number, k: number) => ({ i, k, text: `${k}:`.padEnd(2000, String.fromCharCode(97 + ((i + k) % 26))) });

/** `count` objects exposed on `root` and observed on `observer`, all synchronized. */
async function observed(root: LocalNode, observer: LocalNode, count: number) {
  const exposers: ObjectExpose<ReturnType<typeof bulky>>[] = [];
  const observers: ObjectObserve<ReturnType<typeof bulky>>[] = [];
  for (let i = 0; i < count; i++) {
    const descriptor = new ObjectDescriptor(["queue"], i);
    const exposer = root.object(descriptor).expose<ReturnType<typeof bulky>>();
    exposer.set(bulky(i, 0));
    exposers.push(exposer);
    observers.push(observer.object(descriptor).observe());
  }
  await expect.poll(() => observers.every((each) => each.data?.k === 0)).toBe(true);
  return { exposers, observers };
}

it("coalesces what it sends a child that stops reading: the queue stays near queueBytes through 1,000 updates, and the child ends with the latest states", async () => {
  const root = node("root");
  const slow = child(root, "slow", { queueBytes: 16 * 1024, maxCongestedMs: 60_000 });
  const { exposers, observers } = await observed(root, slow.node, 100);
  slow.pause();
  let most = 0;
  for (let k = 1; k <= 10; k++) {
    for (const [i, exposer] of exposers.entries()) {
      exposer.set(bulky(i, k));
      most = Math.max(most, slow.queued);
    }
    await settle(1);
    most = Math.max(most, slow.queued);
  }
  // Without coalescing, every object's window (16 states) would hold all ten updates: 2 MB.
  expect(most).toBeLessThan(16 * 1024 + 4 * 1024);

  slow.resume();
  await expect.poll(() => observers.every((observer) => observer.data?.k === 10)).toBe(true);
  expect(slow.result).toBeNull();
});

it("closes the link of a child whose queue reaches maxQueueBytes, while another child keeps receiving", async () => {
  const root = node("root");
  const stuck = child(root, "stuck", { queueBytes: 16 * 1024, maxQueueBytes: 64 * 1024, maxCongestedMs: 60_000 });
  const fine = child(root, "fine");
  const descriptor = new ObjectDescriptor([], "big");
  const exposer = root.object(descriptor).expose<{ k: number; text: string }>();
  exposer.set({ k: 0, text: "" });
  const stuckObserver = stuck.node.object(descriptor).observe();
  const fineObserver = fine.node.object(descriptor).observe<{ k: number }>();
  await expect.poll(() => stuckObserver.data !== undefined && fineObserver.data !== undefined).toBe(true);
  stuck.pause();
  // One state larger than maxQueueBytes: sent whole, then the queue is seen over the bound.
  exposer.set({ k: 1, text: noise(100 * 1024) });
  await expect.poll(() => stuck.result).toBeInstanceOf(LinkLimitError);
  expect((stuck.result as unknown as LinkLimitError).message).toMatch(
    /^\d+,\d{3} bytes were queued toward the child, over maxQueueBytes \(65536\); the link is closed \(raise linkLimits\.maxQueueBytes if this child is honest\)$/,
  );
  for (let k = 2; k <= 4; k++) {
    exposer.set({ k, text: "" });
    await expect.poll(() => fineObserver.data?.k).toBe(k);
  }
  expect(fine.result).toBeNull();
});

it("closes the link of a child congested for longer than maxCongestedMs, while another child keeps receiving", async () => {
  const root = node("root");
  const stalled = child(root, "stalled", { queueBytes: 1024, maxCongestedMs: 50 });
  const fine = child(root, "fine", { queueBytes: 1024, maxCongestedMs: 50 });
  const { exposers } = await observed(root, stalled.node, 4);
  const fineObservers = exposers.map((exposer) => fine.node.object(exposer.descriptor).observe<ReturnType<typeof bulky>>());
  await expect.poll(() => fineObservers.every((each) => each.data?.k === 0)).toBe(true);
  stalled.pause();
  for (const [i, exposer] of exposers.entries()) exposer.set(bulky(i, 1));
  await expect.poll(() => stalled.result).toBeInstanceOf(LinkLimitError);
  // Told once, halfway: a slow reader is seen before it is dropped.
  expect(stalled.events).toEqual([
    {
      limit: "queueBytes",
      value: 1024,
      what: expect.stringMatching(/^\d+,\d{3} bytes queued for \d\d ms: sending only the latest state of each object until half of queueBytes is left$/),
    },
  ]);
  expect((stalled.result as unknown as LinkLimitError).message).toMatch(
    /^the child read too little for \d+ ms \(\d+,\d{3} bytes still queued\), over maxCongestedMs \(50\); the link is closed/,
  );
  for (const [i, exposer] of exposers.entries()) exposer.set(bulky(i, 2));
  await expect.poll(() => fineObservers.every((each) => each.data?.k === 2)).toBe(true);
  expect(fine.result).toBeNull();
});
