/**
 * LinkCongestion on its own (a queue and a clock of the test's making): senders held back above the
 * flow window or queueBytes, flushed as soon as a receipt brings the link under its window, and the
 * close rules of a link told of its congestion. Then what a parent queues toward a child that stops
 * reading (a memory link whose parent-to-child direction is paused): each object's sender keeps only
 * its latest state, so what is sent stays near the flow window however many updates there are, and the
 * child ends with the latest states once it reads again; a queue at maxQueueBytes, or congested for
 * maxCongestedMs, closes that link while another child of the same parent keeps receiving.
 */
import { MIN_FLOW_WINDOW_BYTES } from "../../bindings/flow-window.js";
import { describe, expect, it, vi } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { LocalNode, ObjectDescriptor, type ObjectExpose, type ObjectObserve } from "../../lib/index.js";
import { DownstreamLink } from "../../lib/sync/down/downstream-link.js";
import { CONGESTION_POLL_MS, type CongestionEvents, LinkCongestion, type OutboundQueue, SLOW_READER_MS } from "../../lib/sync/link-congestion.js";
import { LinkLimitError } from "../../lib/sync/link-limit-error.js";
import { DEFAULT_LINK_LIMITS, type LinkLimitEvent, type LinkLimits } from "../../lib/sync/link-limits.js";
import { UpstreamLink } from "../../lib/sync/up/upstream-link.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { settle } from "./tree-fixture.js";
import { cleanupAfterEach } from "../test-cleanup.js";

const { defer, node } = cleanupAfterEach();

/** A link's outbound side as the test sets it: bytes queued, bytes not receipted, and receipts it delivers. */
class TestQueue implements OutboundQueue {
  bufferedAmount = 0;
  unacknowledgedBytes = 0;
  readonly flowWindowBytes = 1000;
  #receipt: () => void = () => {};

  onReceipt(handler: () => void): void {
    this.#receipt = handler;
  }

  /** The peer receipted `bytes`. */
  receipt(bytes: number): void {
    this.unacknowledgedBytes -= bytes;
    this.#receipt();
  }
}

/** A sender that counts its flushes. */
function sender() {
  return { flushes: 0, flush() { this.flushes++; } };
}

describe("LinkCongestion", () => {
  const limits: LinkLimits = { ...DEFAULT_LINK_LIMITS, queueBytes: 10_000, maxQueueBytes: 100_000, maxCongestedMs: 5000 };

  function congestion(events?: CongestionEvents) {
    const queue = new TestQueue();
    let time = 0;
    const link = new LinkCongestion(queue, limits, events, () => time);
    defer(async () => link.stop());
    return { queue, link, advance: (ms: number) => void (time += ms) };
  }

  it("holds senders back while more than the flow window is not receipted, and flushes them at the receipt that brings it under", () => {
    const { queue, link } = congestion();
    const [a, b] = [sender(), sender()];
    queue.unacknowledgedBytes = 1000;
    link.check();
    expect(link.holdsBack(a)).toBe(false); // at the window, not over it
    queue.unacknowledgedBytes = 1001;
    link.check();
    expect(link.holdsBack(a)).toBe(true);
    expect(link.holdsBack(b)).toBe(true);
    queue.receipt(1);
    expect([a.flushes, b.flushes]).toEqual([1, 1]); // at once, not at the next poll
    expect(link.holdsBack(a)).toBe(false);
  });

  it("keeps holding back through receipts that leave it over the window, or while the queue is above half of queueBytes", async () => {
    vi.useFakeTimers();
    defer(async () => void vi.useRealTimers());
    const { queue, link } = congestion();
    const held = sender();
    queue.unacknowledgedBytes = 3000;
    link.check();
    expect(link.holdsBack(held)).toBe(true);
    queue.receipt(1000);
    expect(held.flushes).toBe(0);
    queue.bufferedAmount = 6000;
    queue.receipt(1500);
    expect(held.flushes).toBe(0); // under the window, but the queue is not down to half of queueBytes
    queue.bufferedAmount = 5000;
    await vi.advanceTimersByTimeAsync(CONGESTION_POLL_MS);
    expect(held.flushes).toBe(1); // the poll saw the queue drained
    queue.bufferedAmount = 10_001;
    link.check();
    expect(link.holdsBack(held)).toBe(true); // over queueBytes, whatever the window
    queue.bufferedAmount = 0;
    await vi.advanceTimersByTimeAsync(CONGESTION_POLL_MS);
    expect(held.flushes).toBe(2);
    await vi.advanceTimersByTimeAsync(CONGESTION_POLL_MS);
    expect(vi.getTimerCount()).toBe(0); // the poll stops once it finds no congestion
  });

  it("tells a congestion that lasts, and closes a link whose peer receipts nothing for maxCongestedMs", async () => {
    vi.useFakeTimers();
    defer(async () => void vi.useRealTimers());
    const told: string[] = [];
    const closed: LinkLimitError[] = [];
    const { queue, link, advance } = congestion({ congested: (queued, unreceipted) => void told.push(`${queued} ${unreceipted}`), overLimit: (error) => void closed.push(error) });
    queue.unacknowledgedBytes = 2000;
    link.check();
    advance(SLOW_READER_MS);
    await vi.advanceTimersByTimeAsync(CONGESTION_POLL_MS);
    expect(told).toEqual(["0 2000"]);
    advance(limits.maxCongestedMs);
    await vi.advanceTimersByTimeAsync(CONGESTION_POLL_MS);
    expect(closed.map((error) => error.message)).toEqual([expect.stringMatching(/^the child read too little for \d+ ms \(0 bytes still queued, 2,000 bytes not receipted\), over maxCongestedMs \(5000\)/)]);
    expect(vi.getTimerCount()).toBe(0);
    expect(link.holdsBack(sender())).toBe(false); // a link that ended flushes nothing and holds nothing
  });

  it("only holds back when told nothing: no close however long or large the congestion", async () => {
    vi.useFakeTimers();
    defer(async () => void vi.useRealTimers());
    const { queue, link, advance } = congestion();
    const held = sender();
    queue.unacknowledgedBytes = 2000;
    queue.bufferedAmount = 1_000_000;
    link.check();
    advance(limits.maxCongestedMs * 10);
    await vi.advanceTimersByTimeAsync(CONGESTION_POLL_MS * 3);
    expect(link.holdsBack(held)).toBe(true);
    queue.bufferedAmount = 0;
    queue.receipt(2000);
    expect(held.flushes).toBe(1);
  });
});

/** Links a new node named `name` under `root` with these limits on the parent's side. */
function child(root: LocalNode, name: string, limits: Partial<LinkLimits> = {}, flowWindowBytes?: number) {
  const childNode = node(name);
  const memory = createMemoryCarrierPair();
  const mux = flowWindowBytes === undefined ? {} : { flowWindowBytes };
  const parentMux = createSessionMux(memory.b, mux);
  const events: LinkLimitEvent[] = [];
  const down = new DownstreamLink(root, parentMux, { linkLimits: limits, onLimit: (event) => events.push(event) });
  const up = new UpstreamLink(childNode);
  const generation = up.run(createSessionMux(memory.a, mux));
  let result: Error | undefined | null = null;
  void down.closed.then((error) => (result = error));
  defer(async () => {
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
    /** Bytes sent toward the child that it has not receipted. */
    get unreceipted() {
      return parentMux.unacknowledgedBytes;
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

it("coalesces what it sends a child that stops reading: what is sent stays near the flow window through 1,000 updates, and the child ends with the latest states", async () => {
  const root = node("root");
  const slow = child(root, "slow", { maxCongestedMs: 60_000 }, MIN_FLOW_WINDOW_BYTES);
  const { exposers, observers } = await observed(root, slow.node, 100);
  const seen = observers.map(() => [] as number[]);
  for (const [i, observer] of observers.entries()) observer.onChange((state) => state !== undefined && seen[i]!.push(state.data.k));
  slow.pause();
  let most = 0;
  for (let k = 1; k <= 10; k++) {
    for (const [i, exposer] of exposers.entries()) {
      exposer.set(bulky(i, k));
      most = Math.max(most, slow.unreceipted);
    }
    await settle(1);
    most = Math.max(most, slow.unreceipted);
  }
  // Without holding back, all ten updates of every object would be on their way: 2 MB.
  expect(most).toBeLessThan(MIN_FLOW_WINDOW_BYTES + 4 * 1024);

  slow.resume();
  await expect.poll(() => observers.every((observer) => observer.data?.k === 10)).toBe(true);
  // Each object's observer skipped from what came before the window filled to the latest: no queue of states.
  expect(seen.reduce((sum, each) => sum + each.length, 0)).toBeLessThan(3 * observers.length);
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
      what: expect.stringMatching(/^\d+(,\d{3})? bytes queued and \d+(,\d{3})? not receipted for \d\d ms: sending only the latest state of each object until the child reads$/),
    },
  ]);
  expect((stalled.result as unknown as LinkLimitError).message).toMatch(
    /^the child read too little for \d+ ms \(\d+(,\d{3})? bytes still queued, \d+(,\d{3})? bytes not receipted\), over maxCongestedMs \(50\); the link is closed/,
  );
  for (const [i, exposer] of exposers.entries()) exposer.set(bulky(i, 2));
  await expect.poll(() => fineObservers.every((each) => each.data?.k === 2)).toBe(true);
  expect(fine.result).toBeNull();
});
