import { afterEach, describe, expect, it } from "vitest";
import { LocalNode } from "../../lib/index.js";
import { link, settle, type TestLink } from "./tree-fixture.js";

let open: Array<LocalNode | TestLink> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

describe("versions across a partition", () => {
  it("a subtree whose exposer ran ahead during a partition follows the parent's exposer again after the reconnect", async () => {
    // The root's clock is far behind the leaf's: its exposer's versions order before what the leaf made.
    const root = new LocalNode({ name: "root", clock: () => 1_000 });
    const mid = new LocalNode({ name: "mid", clock: () => 1_000 });
    const leaf = new LocalNode({ name: "leaf", clock: () => 9_000 });
    const rootExposer = root.object([], "p").expose<string>();
    rootExposer.set("root 1");
    const up = link(root, mid);
    const down = link(mid, leaf);
    open.push(root, mid, leaf, up, down);
    const leafExposer = leaf.object([], "p").expose<string>();
    leafExposer.set("leaf 1");
    const observe = mid.object([], "p").observe<string>();
    await settle();
    expect(rootExposer.assigned).toBe(true); // the older candidate wins the tie
    expect(observe.state).toMatchObject({ data: "root 1", synchronized: true });

    await up.cut();
    await settle();
    expect(leafExposer.assigned).toBe(true);
    leafExposer.set("leaf during partition");
    await settle();
    expect(observe.state).toMatchObject({ data: "leaf during partition", synchronized: true });
    expect(observe.state!.version[0]).toBe(9_000); // ahead of anything the root's exposer will make

    up.connect();
    await settle(40);
    expect([rootExposer.assigned, leafExposer.assigned]).toEqual([true, false]);
    expect(observe.state).toMatchObject({ data: "root 1", synchronized: true });
    rootExposer.set("root 2");
    await settle();
    expect(observe.state).toMatchObject({ data: "root 2", synchronized: true });
  });
});
