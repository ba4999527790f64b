/**
 * A node's monitor object: exposed by the node under its monitor tag, published only while someone
 * observes it (a timer runs then, and only then), refreshed once per interval with rates sampled by
 * those refreshes alone, and gone when the node closes.
 */
import { describe, expect, it } from "vitest";
import { LocalNode, TagDescriptor, type Immutable, type NodeSnapshot, type ObjectState } from "../../lib/index.js";
import { RUNTIME_TIMERS } from "../../lib/monitor/monitor-timers.js";
import { manualClock, manualTimers, monitorOf } from "./node-monitor-doubles.js";

describe("monitor object", () => {
  it("is published only while observed: a timer runs then, and none is left when nobody observes it", () => {
    const clock = manualClock();
    const timers = manualTimers();
    const node = new LocalNode({ name: "hall", clock: clock.now });
    const monitor = monitorOf(node, { clock: clock.now, timers: timers.timers, intervalMs: 500 });
    monitor.start({ monitor: "tree" });
    expect(monitor.tag?.equals(new TagDescriptor({ monitor: "tree" }))).toBe(true);
    expect(timers.live).toBe(0);
    expect(node.stats().exposedValues).toBe(0); // nothing produced while nobody observes

    const seen: Array<ObjectState<NodeSnapshot> | undefined> = [];
    const observe = node.object([{ monitor: "tree" }], { node: "hall", instance: monitor.instance }).observe<NodeSnapshot>();
    observe.onChange((state) => seen.push(state));
    expect(timers.intervals).toEqual([500]);
    expect(observe.data).toMatchObject({ node: "hall", instance: monitor.instance, intervalMs: 500 });
    clock.advance(500);
    timers.fire();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.data.at).toBe(clock.now());

    observe.terminate();
    expect(timers.live).toBe(0);
    timers.fire();
    expect(seen).toHaveLength(1);

    const again = node.tag({ monitor: "tree" }).observe<NodeSnapshot>();
    expect(timers.live).toBe(1);
    expect([...again.objects.values()].map((object) => object.state?.data.node)).toEqual(["hall"]);
    monitor.stop();
    expect(timers.live).toBe(0);
    expect(monitor.tag).toBeUndefined();
    expect(again.objects.size).toBe(0);
    void node.close();
  });

  it("started again: the same tag only changes the interval; another tag moves the object", () => {
    const timers = manualTimers();
    const node = new LocalNode({ name: "hall" });
    const monitor = monitorOf(node, { timers: timers.timers });
    monitor.start("m");
    const first = node.tag("m").observe<NodeSnapshot>();
    monitor.start("m", { intervalMs: 200 });
    expect(timers.intervals).toEqual([200]);
    expect(first.objects.size).toBe(1);
    const second = node.tag("n").observe<NodeSnapshot>();
    monitor.start("n");
    expect(first.objects.size).toBe(0);
    expect([...second.objects.values()].map((object) => object.state?.data.intervalMs)).toEqual([200]);
    expect(timers.live).toBe(1);
    void node.close();
  });

  it("takes the rates its refreshes sample; a program reading snapshot() in between does not move them", () => {
    const clock = manualClock();
    const timers = manualTimers();
    const node = new LocalNode({ clock: clock.now });
    const monitor = monitorOf(node, { clock: clock.now, timers: timers.timers });
    const expose = node.object(["t"], "x").expose<number>();
    node.object(["t"], "x").observe();
    monitor.start("m");
    const observe = node.tag("m").observe<NodeSnapshot>();
    const published = () => [...observe.objects.values()][0]?.state?.data;
    const rateOf = (snapshot: Immutable<NodeSnapshot> | undefined) => snapshot?.objects.find((object) => object.descriptor.json === "x")?.updatesPerSecond;

    for (let n = 0; n < 4; n++) expose.set(n);
    clock.advance(1000);
    timers.fire();
    expect(rateOf(published())).toBe(4);
    expose.set(4);
    clock.advance(1500);
    expect(rateOf(monitor.snapshot())).toBe(4); // the refresh samples, not this read
    timers.fire();
    expect(rateOf(published())).toBe(1 / 1.5); // one update over the 1.5 s since the last refresh
    void node.close();
  });

  it("is started by the node's monitorTag option and ends with the node", async () => {
    const node = new LocalNode({ name: "hall", monitorTag: "monitor", monitorIntervalMs: 60_000 });
    const observe = node.tag("monitor").observe<NodeSnapshot>();
    const [object] = [...observe.objects.values()];
    expect(object?.descriptor.json).toEqual({ node: "hall", instance: node.monitor.instance });
    expect(object?.state?.data).toMatchObject({ node: "hall", intervalMs: 60_000, totals: { objects: 1 } });
    await node.close();
    expect(node.monitor.tag).toBeUndefined();
    expect(() => node.monitor.start("monitor")).toThrow(/closed/);
  });

  it("refreshes on timers that do not keep a Node process alive", () => {
    const handle = RUNTIME_TIMERS.setInterval(() => undefined, 1000) as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    RUNTIME_TIMERS.clearInterval(handle);
  });
});
