import { afterEach, describe, expect, it } from "vitest";
import type { LocalNode } from "../../lib/index.js";
import { TapRing } from "../../lib/choreography/index.js";
import { link, nodes, settle, type TestLink } from "./tree-fixture.js";

let open: Array<LocalNode | TestLink> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

function tree(): { root: LocalNode; leaf: LocalNode; wire: TestLink } {
  const [root, leaf] = nodes("root", "leaf");
  const wire = link(root!, leaf!);
  open.push(root!, leaf!, wire);
  return { root: root!, leaf: leaf!, wire };
}

describe("two linked nodes", () => {
  it("records the link's messages in a tap ring when given one (and none by default)", async () => {
    const [root, leaf] = nodes("root", "leaf");
    const tap = new TapRing();
    const wire = link(root!, leaf!, { tap });
    open.push(root!, leaf!, wire);
    await settle();
    expect(tap.entries().map((e) => e.label)).toEqual(expect.arrayContaining(["Hello", "Welcome", "Sync", "Synced"]));
  });

  it("delivers every one of a burst of states, in order, none acknowledged, while nothing holds the link back", async () => {
    const [root, leaf] = nodes("root", "leaf");
    const tap = new TapRing();
    const wire = link(root!, leaf!, { tap });
    open.push(root!, leaf!, wire);
    const expose = root!.object(["t"], "burst").expose<{ i: number; pad: string }>();
    const observe = leaf!.object(["t"], "burst").observe<{ i: number; pad: string }>();
    await settle();
    const seen: number[] = [];
    observe.onChange((state) => state !== undefined && seen.push(state.data.i));
    const states = 100; // far more than the 16 states in flight a per-object window once allowed, within the first flow window
    for (let i = 1; i <= states; i++) expose.set({ i, pad: `${i}`.padEnd(100, "-") });
    await expect.poll(() => observe.data?.i).toBe(states);
    expect(seen).toEqual(Array.from({ length: states }, (_, i) => i + 1));
    expect(tap.entries().filter((e) => e.kind === "send" && (e.label === "AckUp" || e.label === "AckDown"))).toEqual([]);
  });

  it("a leaf observes what the root exposes", async () => {
    const { root, leaf, wire } = tree();
    const expose = root.object(["t"], "x").expose<number>();
    const observe = leaf.object(["t"], "x").observe<number>();
    await settle();
    expect(wire.upstream.connected).toBe(true);
    expect(expose.assigned).toBe(true);
    expose.set(1);
    await settle();
    expect(observe.state).toMatchObject({ data: 1, synchronized: true });
    expose.set(2);
    await settle();
    expect(observe.data).toBe(2);
  });

  it("the root observes what a leaf exposes", async () => {
    const { root, leaf } = tree();
    const expose = leaf.object(["t"], "y").expose<string>();
    expose.set("from leaf");
    const observe = root.object(["t"], "y").observe<string>();
    await settle();
    expect(expose.assigned).toBe(true);
    expect(observe.state).toMatchObject({ data: "from leaf", synchronized: true });
    observe.terminate();
    await settle();
    expect(expose.assigned).toBe(false);
  });

  it("a root tag observer sees objects exposed on a leaf", async () => {
    const { root, leaf } = tree();
    const tagObserve = root.tag("sensors").observe<number>();
    const a = leaf.object(["sensors"], "a").expose<number>();
    a.set(10);
    await settle();
    expect(a.assigned).toBe(true);
    expect([...tagObserve.objects.values()].map((o) => o.state?.data)).toEqual([10]);
  });

  it("a leaf tag exposer is assigned objects observed at the root", async () => {
    const { root, leaf } = tree();
    const tagExpose = leaf.tag("jobs").expose<string>();
    tagExpose.onAssignment(({ descriptor, assigned }) => {
      if (assigned) tagExpose.set(descriptor, `done ${String(descriptor.json)}`);
    });
    const observe = root.object(["jobs"], 7).observe<string>();
    await settle();
    expect(observe.state).toMatchObject({ data: "done 7", synchronized: true });
  });
});
