/**
 * A node's snapshot matches what the node holds: its objects with who is elected (a contract, a child
 * link, the upstream), versions, observers and exposers, sizes and updates per second over the last
 * interval; the events of elections, handovers and releases; totals that never go down when a link
 * goes; a bounded object list; and options checked.
 */
import { describe, expect, it } from "vitest";
import { InvalidJsonError, LocalNode, type JsonValue } from "../../lib/index.js";
import type { ChildLinkSample, UpstreamSample } from "../../lib/monitor/link-probe.js";
import type { ObjectSnapshot } from "../../lib/monitor/node-snapshot.js";
import { linkPlace, manualClock, monitorOf, placedExposer } from "./node-monitor-doubles.js";

const jsonOf = (objects: readonly ObjectSnapshot[]) => objects.map((object) => object.descriptor.json);

function childSample(overrides: Partial<ChildLinkSample> = {}): ChildLinkSample {
  return {
    name: "kitchen",
    roundTripMs: 3,
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    queuedBytes: 0,
    principal: "alice",
    address: "ws://127.0.0.1:50312",
    observed: 2,
    exposed: 1,
    ...overrides,
  };
}

describe("node snapshot", () => {
  it("lists each object with its exposer, version, counts and sizes, and the node's counts", () => {
    const clock = manualClock();
    const node = new LocalNode({ name: "hall", clock: clock.now });
    const { exchange } = node;
    const exposeA = node.object(["t"], "a").expose<{ n: number }>();
    const observeA = node.object(["t"], "a").observe();
    node.object(["t"], "a").observe();
    exposeA.set({ n: 1 });
    const observeB = node.object(["t"], "b").observe();
    exchange.addObjectExposer(observeB.descriptor, placedExposer(exchange, linkPlace(7, "kitchen")));
    node.tag("u").observe();
    exchange.addObjectExposer(node.object(["u"], "c").observe().descriptor, placedExposer(exchange, { kind: "upstream" }));
    node.object(["t"], "d").observe();
    exchange.objects.get(observeA.descriptor.key)!.lastDiffBytes = 42;

    const snapshot = node.snapshot();
    expect(snapshot).toMatchObject({ node: "hall", at: clock.now(), startedAt: clock.now(), intervalMs: 1000, upstream: null, links: [] });
    expect(snapshot.instance).toMatch(/^[0-9a-f]{8}$/);
    const byJson = new Map(snapshot.objects.map((object) => [object.descriptor.json, object]));
    expect(byJson.get("a")).toEqual({
      descriptor: { tags: ["t"], json: "a" },
      exposer: { kind: "contract" },
      version: [...observeA.state!.version],
      epoch: 1,
      synchronized: true,
      observers: 2,
      exposers: 1,
      updatesPerSecond: 0,
      stateBytes: JSON.stringify({ n: 1 }).length,
      diffBytes: 42,
    });
    expect(byJson.get("b")).toMatchObject({ exposer: { kind: "link", link: 7, name: "kitchen" }, version: null, stateBytes: null, diffBytes: null });
    expect(byJson.get("c")).toMatchObject({ exposer: { kind: "upstream" }, observers: 2, exposers: 1 });
    expect(byJson.get("d")).toMatchObject({ exposer: null, exposers: 0, synchronized: false });
    expect(snapshot.totals).toMatchObject({ objects: 4, tags: 2, contracts: 7, updates: 1, elections: 3, handovers: 0, links: 0 });
    void node.close();
  });

  it("measures updates per second over the last interval, sampled at most once per interval", () => {
    const clock = manualClock();
    const node = new LocalNode({ clock: clock.now });
    const busy = node.object(["t"], "busy").expose<number>();
    const calm = node.object(["t"], "calm").expose<number>();
    node.object(["t"], "busy").observe();
    node.object(["t"], "calm").observe();
    const rates = () => Object.fromEntries(node.snapshot().objects.map((object) => [object.descriptor.json as string, object.updatesPerSecond]));
    for (let n = 0; n < 6; n++) busy.set(n);
    calm.set(0);
    expect(rates()).toEqual({ busy: 0, calm: 0 }); // no interval has passed yet

    clock.advance(2000);
    expect(rates()).toEqual({ busy: 3, calm: 0.5 });
    busy.set(6);
    clock.advance(999);
    expect(rates()).toEqual({ busy: 3, calm: 0.5 }); // within the interval: the last rates

    busy.set(7);
    clock.advance(1);
    expect(rates()).toEqual({ busy: 2, calm: 0 });
    expect(node.snapshot().objects.map((object) => object.descriptor.json)).toEqual(["busy", "calm"]);
    expect(node.snapshot().totals.updates).toBe(9);
    void node.close();
  });

  it("lists the busiest objects only, by updates per second, then observers, then key; totals count them all", () => {
    const clock = manualClock();
    const node = new LocalNode({ clock: clock.now });
    const monitor = monitorOf(node, { clock: clock.now, maxObjects: 3 });
    const exposers = ["e", "d", "c", "b", "a"].map((json) => node.object(["t"], json).expose<number>());
    for (const json of ["e", "d", "c", "b", "a"]) node.object(["t"], json).observe();
    node.object(["t"], "b").observe();
    node.object(["t"], "c").observe();
    exposers[0]!.set(1); // e: one update
    exposers[0]!.set(2);
    exposers[4]!.set(1); // a: one update
    expect(jsonOf(monitor.snapshot().objects)).toEqual(["b", "c", "a"]); // no rates yet: observers, then key
    clock.advance(1000);
    const snapshot = monitor.snapshot();
    expect(jsonOf(snapshot.objects)).toEqual(["e", "a", "b"]);
    expect(snapshot.totals.objects).toBe(5);
    void node.close();
  });

  it("ranks every object whatever the order they come in", () => {
    const node = new LocalNode();
    const monitor = monitorOf(node, { maxObjects: 1 });
    for (const json of ["m", "z", "a", "y"]) node.object(["t"], json).observe(); // kept, turned away, kept, turned away
    expect(jsonOf(monitor.snapshot().objects)).toEqual(["a"]);
    void node.close();
  });

  it("shows each child link and the latest upstream with rates of their traffic over the last interval", () => {
    const clock = manualClock();
    const node = new LocalNode({ clock: clock.now });
    let child = childSample();
    const link = node.monitor.addChildLink(() => child);
    clock.advance(500);
    let upstream: UpstreamSample = { ...childSample(), name: "root", url: "ws://127.0.0.1:1", status: "connecting", lastError: null };
    const earlier: UpstreamSample = { ...upstream, url: "ws://127.0.0.1:2" };
    node.monitor.addUpstream(() => earlier); // not removed yet
    const up = node.monitor.addUpstream(() => upstream);
    child = { ...child, messagesIn: 10, bytesIn: 4000, messagesOut: 2, bytesOut: 100, queuedBytes: 64 };
    upstream = { ...upstream, status: "connected", bytesOut: 300 };
    clock.advance(500);
    const snapshot = node.snapshot();
    expect(snapshot.links).toEqual([
      {
        id: link.id,
        name: "kitchen",
        since: clock.now() - 1000,
        roundTripMs: 3,
        in: { messagesPerSecond: 10, bytesPerSecond: 4000 },
        out: { messagesPerSecond: 2, bytesPerSecond: 100 },
        queuedBytes: 64,
        principal: "alice",
        address: "ws://127.0.0.1:50312",
        observed: 2,
        exposed: 1,
      },
    ]);
    expect(snapshot.upstream).toEqual({
      id: up.id,
      name: "root",
      since: clock.now() - 500,
      roundTripMs: 3,
      in: { messagesPerSecond: 0, bytesPerSecond: 0 },
      out: { messagesPerSecond: 0, bytesPerSecond: 300 },
      queuedBytes: 0,
      url: "ws://127.0.0.1:1",
      status: "connected",
      lastError: null,
    });
    expect(snapshot.totals).toMatchObject({ links: 1, queuedBytes: 64, messagesIn: 10, bytesIn: 4000, bytesOut: 400 });
    void node.close();
  });

  it("keeps a removed link's figures in the totals, so they never go down; link ids are never reused", () => {
    const node = new LocalNode();
    const { monitor } = node;
    let first = childSample({ messagesIn: 5, bytesIn: 500, messagesOut: 1, bytesOut: 50 });
    const a = monitor.addChildLink(() => first);
    let up: UpstreamSample = { ...childSample({ messagesOut: 3, bytesOut: 30 }), url: "ws://127.0.0.1:1", status: "connected", lastError: null };
    const b = monitor.addUpstream(() => up);
    const before = monitor.totals();
    expect(before).toMatchObject({ links: 1, messagesIn: 5, bytesIn: 500, messagesOut: 4, bytesOut: 80 });
    first = { ...first, messagesIn: 7, bytesIn: 700 };
    a.remove();
    a.remove();
    up = { ...up, messagesOut: 4, bytesOut: 40 };
    b.remove();
    expect(monitor.totals()).toMatchObject({ links: 0, messagesIn: 7, bytesIn: 700, messagesOut: 5, bytesOut: 90 });
    const c = monitor.addChildLink(() => childSample({ messagesIn: 1 }));
    expect(monitor.totals()).toMatchObject({ links: 1, messagesIn: 8 });
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(node.snapshot().links.map((link) => link.id)).toEqual([c.id]);
    expect(node.snapshot().upstream).toBeNull();
    void node.close();
  });

  it("records what links report, counting refusals and denials", () => {
    const clock = manualClock();
    const node = new LocalNode({ clock: clock.now });
    node.monitor.record({ kind: "refused", text: "bad token from 127.0.0.1" });
    node.monitor.record({ kind: "denied", text: "kitchen may not observe", descriptor: { tags: ["t"], json: 1 }, link: 3 });
    node.monitor.record({ kind: "limit", text: "too many objects" });
    const { events, totals } = node.snapshot();
    expect(events).toEqual([
      { at: clock.now(), kind: "refused", text: "bad token from 127.0.0.1" },
      { at: clock.now(), kind: "denied", text: "kitchen may not observe", descriptor: { tags: ["t"], json: 1 }, link: 3 },
      { at: clock.now(), kind: "limit", text: "too many objects" },
    ]);
    expect(totals).toMatchObject({ refusals: 1, denials: 1 });
    void node.close();
  });
});

describe("election events", () => {
  it("an exposer elected, an object handed over to a link and back, released when no candidate is left or nobody observes", () => {
    const node = new LocalNode();
    const { exchange } = node;
    const expose = node.object(["t"], 1).expose();
    const observe = node.object(["t"], 1).observe();
    const link = placedExposer(exchange, linkPlace(4, "kitchen"), 10);
    const entry = exchange.addObjectExposer(expose.descriptor, link);
    exchange.removeObjectExposer(entry, link);
    expose.terminate();
    node.object(["t"], 2).expose();
    const second = node.object(["t"], 2).observe();
    second.terminate();
    const { events, totals } = node.snapshot();
    expect(events.map(({ kind, text, link }) => ({ kind, text, link }))).toEqual([
      { kind: "elected", text: 'a contract here elected for 1 #"t": capacity 1, load 0', link: undefined },
      { kind: "handover", text: '1 #"t" handed over to "kitchen" (link 4), from a contract here', link: 4 },
      { kind: "handover", text: '1 #"t" handed over to a contract here, from "kitchen" (link 4)', link: 4 },
      { kind: "released", text: 'a contract here released 1 #"t": no candidate left', link: undefined },
      { kind: "elected", text: 'a contract here elected for 2 #"t": capacity 1, load 0', link: undefined },
      { kind: "released", text: 'a contract here released 2 #"t": no longer observed', link: undefined },
    ]);
    expect(events.map((event) => event.descriptor)).toEqual([1, 1, 1, 1, 2, 2].map((json) => ({ tags: ["t"], json })));
    expect(totals).toMatchObject({ elections: 2, handovers: 2 });
    observe.terminate();
    void node.close();
  });

  it("keeps the most recent events only", () => {
    const node = new LocalNode();
    const monitor = monitorOf(node, { maxEvents: 2 });
    for (const text of ["one", "two", "three"]) monitor.record({ kind: "limit", text });
    expect(monitor.snapshot().events.map((event) => event.text)).toEqual(["two", "three"]);
    void node.close();
  });
});

describe("monitor options", () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses a monitorIntervalMs of %s with a RangeError naming it", (intervalMs) => {
    expect(() => new LocalNode({ monitorIntervalMs: intervalMs })).toThrow(RangeError);
    expect(() => new LocalNode({ monitorIntervalMs: intervalMs })).toThrow(/monitorIntervalMs must be a finite number of milliseconds above 0/);
    const node = new LocalNode();
    expect(() => node.monitor.start("m", { intervalMs })).toThrow(RangeError);
    expect(node.monitor.tag).toBeUndefined();
    void node.close();
  });

  it("refuses a monitorTag that is not a valid tag as TagDescriptor does", () => {
    expect(() => new LocalNode({ monitorTag: Number.NaN as JsonValue })).toThrow(InvalidJsonError);
  });

  it.each([{ maxEvents: -1 }, { maxObjects: 1.5 }])("refuses %o", (options) => {
    expect(() => monitorOf(new LocalNode(), options)).toThrow(RangeError);
  });

  it("takes the interval given", () => {
    const node = new LocalNode({ monitorIntervalMs: 250 });
    expect(node.snapshot().intervalMs).toBe(250);
    void node.close();
  });
});
