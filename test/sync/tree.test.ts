import { afterEach, describe, expect, it } from "vitest";
import { LocalNode } from "../../lib/index.js";
import { link, nodes, settle, type TestLink } from "./tree-fixture.js";

let open: Array<LocalNode | TestLink> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

/** root ← mid ← (leafA, leafB); root ← leafC */
function bigTree() {
  const [root, mid, leafA, leafB, leafC] = nodes("root", "mid", "leafA", "leafB", "leafC") as [LocalNode, LocalNode, LocalNode, LocalNode, LocalNode];
  const wires = { mid: link(root, mid), a: link(mid, leafA), b: link(mid, leafB), c: link(root, leafC) };
  open.push(root, mid, leafA, leafB, leafC, ...Object.values(wires));
  return { root, mid, leafA, leafB, leafC, wires };
}

describe("a tree of nodes", () => {
  it("an observer on one leaf follows an exposer on another, three levels apart", async () => {
    const { leafA, leafC } = bigTree();
    const expose = leafA.object(["x"], 1).expose<string>();
    const observe = leafC.object(["x"], 1).observe<string>();
    expose.set("hello");
    await settle();
    expect(observe.state).toMatchObject({ data: "hello", synchronized: true });
    expose.set("again");
    await settle();
    expect(observe.data).toBe("again");
  });

  it("elects exactly one exposer network-wide, and only while observed", async () => {
    const { leafA, leafB, leafC, root } = bigTree();
    const exposers = [leafA, leafB, leafC, root].map((n) => n.object([], "one").expose<number>());
    await settle();
    expect(exposers.filter((e) => e.assigned)).toHaveLength(0);
    const observe = leafB.object([], "one").observe<number>();
    await settle();
    expect(exposers.filter((e) => e.assigned)).toHaveLength(1);
    observe.terminate();
    await settle();
    expect(exposers.filter((e) => e.assigned)).toHaveLength(0);
  });

  it("balances tag exposers on different leaves by capacity across the tree (10:30 ±2)", async () => {
    const { leafA, leafB, leafC } = bigTree();
    const small = leafA.tag("job").expose<number>({ capacity: 1 });
    const large = leafC.tag("job").expose<number>({ capacity: 3 });
    await settle();
    const observers = [];
    for (let i = 0; i < 40; i++) observers.push(leafB.object(["job"], i).observe<number>());
    await settle(40);
    expect(small.assigned.length + large.assigned.length).toBe(40);
    expect(Math.abs(small.assigned.length - 10)).toBeLessThanOrEqual(2);
    expect(Math.abs(large.assigned.length - 30)).toBeLessThanOrEqual(2);
  });

  it("fails over when the exposer's contract ends: observers keep data, synchronized false, never undefined", async () => {
    const { leafA, leafB, leafC } = bigTree();
    const first = leafA.object([], "f").expose<string>();
    const observe = leafC.object([], "f").observe<string>();
    first.set("one");
    await settle();
    const second = leafB.object([], "f").expose<string>();
    await settle();
    const seen: Array<string | undefined> = [];
    observe.onChange((s) => seen.push(s === undefined ? "undefined" : `${s.data}/${s.synchronized}`));
    first.terminate();
    await settle();
    expect(second.assigned).toBe(true);
    expect(observe.state).toMatchObject({ data: "one", synchronized: false });
    second.set("two");
    await settle();
    expect(observe.state).toMatchObject({ data: "two", synchronized: true });
    expect(seen).not.toContain("undefined");
    expect(seen.at(-1)).toBe("two/true");
  });

  it("fails over when the exposer's link drops", async () => {
    const { leafA, leafB, leafC, wires } = bigTree();
    const first = leafA.object([], "g").expose<string>();
    const second = leafB.object([], "g").expose<string>();
    const observe = leafC.object([], "g").observe<string>();
    first.set("A");
    second.set("B");
    await settle();
    const [winner, loserWire] = first.assigned ? [first, wires.a] : [second, wires.b];
    const other = winner === first ? second : first;
    expect(observe.data).toBe(winner === first ? "A" : "B");
    await loserWire.cut();
    await settle();
    expect(other.assigned).toBe(true);
    expect(observe.state?.synchronized).toBe(true);
    expect(observe.data).toBe(other === first ? "A" : "B");
  });

  it("a new exposer's versions order after the latest known even when its clock lags", async () => {
    const [root, fast, watcher] = nodes("root", "fast", "watcher") as LocalNode[];
    const slowClock = new LocalNode({ name: "slow", clock: () => 1_000 });
    const wires = [link(root!, fast!), link(root!, slowClock), link(root!, watcher!)];
    open.push(root!, fast!, watcher!, slowClock, ...wires);
    const first = fast!.object([], "v").expose<string>();
    const observe = watcher!.object([], "v").observe<string>();
    first.set("fast clock");
    await settle();
    const lagging = slowClock.object([], "v").expose<string>();
    await settle();
    first.terminate();
    await settle();
    expect(lagging.assigned).toBe(true);
    lagging.set("slow clock");
    await settle();
    expect(observe.state).toMatchObject({ data: "slow clock", synchronized: true });
  });

  it("leaf isolation: a bystander leaf hears nothing about others' objects", async () => {
    const { leafA, leafB, wires } = bigTree();
    await settle();
    const before = messagesTo(wires.c);
    const expose = leafA.object(["private"], "p").expose<number>();
    const observe = leafB.object(["private"], "p").observe<number>();
    for (let i = 0; i < 20; i++) expose.set(i);
    await settle();
    expect(observe.data).toBe(19);
    // Only keep-alives could reach the bystander; none are due in this short test.
    expect(messagesTo(wires.c)).toBe(before);
    expect(wires.c.child.stats().objects).toBe(0);
  });
});

/** Messages the parent sent down this link so far (b is the parent's end). */
function messagesTo(wire: TestLink): number {
  return wire.memory!.faults.counters.bToA.messagesSent;
}
