/**
 * What links tell their node's monitor: a child link's sample (who the child is, what waits to be sent,
 * what its subtree observes and exposes through the link) and the traffic of both ends, which add up
 * to the same figures on either side, over every connection an upstream makes.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SessionMuxStats } from "../../bindings/session-mux-stats.js";
import { LocalNode } from "../../lib/index.js";
import type { NodeTotals } from "../../lib/monitor/node-snapshot.js";
import { ChildLinkMonitor } from "../../lib/net/child-link-monitor.js";
import { connect as connectWith } from "../../lib/net/connect.js";
import { listen } from "../../lib/net/node/listen.js";
import type { Carrier } from "../../transports/carrier.js";
import { dialWs } from "../../transports/node/ws-dial.js";
import { link, settle, type TestLink } from "../sync/tree-fixture.js";

const WAIT = { timeout: 15_000, interval: 10 } as const;

let open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

/** A connection whose figures the test sets. */
function connection(queued: number): { stats: SessionMuxStats; bufferedAmount: number } {
  const stats = { messagesIn: 3, messagesOut: 4, bytesIn: 50, bytesOut: 60, framesIn: 0, framesOut: 0, compressedFramesOut: 0, bytesSavedByCompression: 0 };
  return { stats, bufferedAmount: queued };
}

/** A root and a leaf linked in memory, the root's side of the link monitored (not yet watching it) on a connection with `queued` bytes queued. */
function monitoredLink(queued: number) {
  const root = new LocalNode({ name: "root" });
  const leaf = new LocalNode({ name: "leaf" });
  open.push(root, leaf);
  const wire: TestLink = link(root, leaf);
  open.push(wire);
  return { root, leaf, wire, monitored: new ChildLinkMonitor(root.monitor, connection(queued), "memory://leaf") };
}

describe("a child link's sample", () => {
  it("names the child once its Hello is accepted, with its address, queue and the connection's counters", async () => {
    const { root, wire, monitored } = monitoredLink(1234);
    expect(root.snapshot().links).toEqual([expect.objectContaining({ id: monitored.id, name: null, address: "memory://leaf", queuedBytes: 1234, observed: 0, exposed: 0 })]);
    monitored.watch(wire.downstream!);
    expect(wire.downstream!.place.link.id).toBe(monitored.id);
    await settle();
    expect(root.snapshot().links).toEqual([
      expect.objectContaining({ id: monitored.id, name: "leaf", principal: null, address: "memory://leaf", queuedBytes: 1234, roundTripMs: null }),
    ]);
    expect(root.snapshot().totals).toMatchObject({ messagesIn: 3, messagesOut: 4, bytesIn: 50, bytesOut: 60, queuedBytes: 1234 });
    monitored.ended(undefined);
    expect(root.snapshot().links).toEqual([]);
    expect(root.snapshot().events.filter((event) => event.kind === "unlinked")).toEqual([
      expect.objectContaining({ link: monitored.id, text: 'child "leaf" (memory://leaf) closed' }),
    ]);
  });

  it("walks the link's objects for its interest counts only when a snapshot reads them, not for the totals", async () => {
    const { root, wire, monitored } = monitoredLink(0);
    monitored.watch(wire.downstream!);
    const walks = vi.spyOn(wire.downstream!, "interestCounts");
    expect(root.monitor.totals()).toMatchObject({ links: 1, bytesIn: 50 });
    expect(walks).not.toHaveBeenCalled();
    root.snapshot();
    expect(walks).toHaveBeenCalledTimes(1);
  });

  it("counts the objects the child observes (by object or by tag) and those elected to its exposers (by object or by tag)", async () => {
    const { root, leaf, wire, monitored } = monitoredLink(0);
    monitored.watch(wire.downstream!);
    const figures = () => {
      const [sample] = root.snapshot().links;
      return { observed: sample?.observed, exposed: sample?.exposed };
    };
    // Observed by object, and by tag: each object once, however many ways.
    const a = root.object(["t"], "a").expose<number>();
    a.set(1);
    const b = root.object(["t"], "b").expose<number>();
    b.set(2);
    leaf.object(["t"], "a").observe();
    await settle();
    expect(figures()).toEqual({ observed: 1, exposed: 0 });
    leaf.tag("t").observe();
    await settle();
    expect(figures()).toEqual({ observed: 2, exposed: 0 });
    // Exposed by object (observed at the root), and by tag (an object only the tag exposer can take).
    leaf.object([], "c").expose().set(3);
    root.object([], "c").observe();
    leaf.tag("u").expose();
    root.object(["u"], "d").observe();
    await settle();
    expect(figures()).toEqual({ observed: 2, exposed: 2 });
    // The root names the link as the exposer of both, elected through a session or through a tag.
    const exposerOf = (json: string) => root.snapshot().objects.find((object) => object.descriptor.json === json)?.exposer;
    expect(exposerOf("c")).toEqual({ kind: "link", link: monitored.id, name: "leaf" });
    expect(exposerOf("d")).toEqual({ kind: "link", link: monitored.id, name: "leaf" });
    // An object exposed by the child but observed by nobody is not elected to it.
    leaf.object([], "e").expose().set(5);
    await settle();
    expect(figures()).toEqual({ observed: 2, exposed: 2 });
  });
});

/** The traffic figures of a node's totals. */
const traffic = (totals: NodeTotals) => ({ messagesIn: totals.messagesIn, messagesOut: totals.messagesOut, bytesIn: totals.bytesIn, bytesOut: totals.bytesOut });
/** `totals` seen from the other end: what one sent the other received. */
const mirrored = (totals: NodeTotals) => ({ messagesIn: totals.messagesOut, messagesOut: totals.messagesIn, bytesIn: totals.bytesOut, bytesOut: totals.bytesIn });

describe("a link's traffic", () => {
  it("is the same on both ends, and an upstream's adds up over every connection it made", async () => {
    const root = new LocalNode({ name: "root" });
    const leaf = new LocalNode({ name: "leaf" });
    open.push(root, leaf);
    const listener = await listen(root, { port: 0 });
    const carriers: Carrier[] = [];
    const upstream = connectWith(leaf, listener.url, {
      dial: async (url, signal) => {
        const carrier = await dialWs(url, { signal });
        carriers.push(carrier);
        return carrier;
      },
      initialDelayMs: 10,
      maxDelayMs: 50,
    });
    const exposer = root.object([], "counter").expose<number>();
    exposer.set(1);
    const observer = leaf.object([], "counter").observe<number>();
    await vi.waitFor(() => expect(observer.data).toBe(1), WAIT);
    await vi.waitFor(() => expect(traffic(leaf.monitor.totals())).toEqual(mirrored(root.monitor.totals())), WAIT);
    const first = traffic(leaf.monitor.totals());
    expect(first.bytesOut).toBeGreaterThan(0);
    expect(first.bytesIn).toBeGreaterThan(0);
    expect(leaf.snapshot().upstream).toMatchObject({ url: listener.url, status: "connected", name: "root", lastError: null });

    // The connection drops and the upstream makes another: its figures go on from where they were.
    carriers[0]!.close("cut by the test");
    await vi.waitFor(() => expect(carriers.length).toBe(2), WAIT);
    await vi.waitFor(() => expect(upstream.status).toBe("connected"), WAIT);
    exposer.set(2);
    await vi.waitFor(() => expect(observer.data).toBe(2), WAIT);
    await vi.waitFor(() => expect(traffic(leaf.monitor.totals())).toEqual(mirrored(root.monitor.totals())), WAIT);
    const second = traffic(leaf.monitor.totals());
    expect(second.bytesOut).toBeGreaterThan(first.bytesOut);
    expect(second.messagesIn).toBeGreaterThan(first.messagesIn);
    expect(leaf.snapshot().events.filter((event) => event.kind === "upstream").map((event) => event.text)).toEqual([
      `upstream ${listener.url}: connected`,
      `upstream ${listener.url}: disconnected: ${upstream.lastError?.message}`,
      `upstream ${listener.url}: connecting`,
      `upstream ${listener.url}: connected`,
    ]);
  });

  it("an upstream that cannot reach its parent says so, and leaves the snapshot when closed", async () => {
    const leaf = new LocalNode({ name: "leaf" });
    open.push(leaf);
    const root = new LocalNode({ name: "root" });
    const listener = await listen(root, { port: 0 });
    const { url } = listener;
    await root.close();
    const upstream = connectWith(leaf, url, { dial: (target, signal) => dialWs(target, { signal }), initialDelayMs: 10, maxDelayMs: 20 });
    await vi.waitFor(() => expect(leaf.snapshot().upstream).toMatchObject({ url, status: "disconnected", name: null, lastError: expect.any(String) }), WAIT);
    expect(leaf.snapshot().upstream?.lastError).toBe(upstream.lastError?.message);
    await upstream.close();
    expect(leaf.snapshot().upstream).toBeNull();
    const texts = leaf.snapshot().events.map((event) => event.text);
    expect(texts[texts.length - 1]).toBe(`upstream ${url}: closed: ${upstream.lastError?.message}`);
  });

  it("an upstream redialing a parent that refuses it records each refusal, not each new attempt", async () => {
    const root = new LocalNode({ name: "root" });
    const leaf = new LocalNode({ name: "leaf" });
    open.push(root, leaf);
    const listener = await listen(root, {
      port: 0,
      authenticate: () => {
        throw new Error("not today");
      },
    });
    connectWith(leaf, listener.url, { dial: (target, signal) => dialWs(target, { signal }), token: () => "token", initialDelayMs: 5, maxDelayMs: 10 });
    const upstreamEvents = () => leaf.snapshot().events.filter((event) => event.kind === "upstream").map((event) => event.text);
    await vi.waitFor(() => expect(upstreamEvents().length).toBeGreaterThanOrEqual(3), WAIT);
    for (const text of upstreamEvents()) expect(text).toBe(`upstream ${listener.url}: disconnected: the parent node refused the link: not today`);
    expect(root.snapshot().totals.refusals).toBeGreaterThanOrEqual(3);
  });
});
