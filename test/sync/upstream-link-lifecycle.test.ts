/**
 * The life of a child's link to its parent across connections: one link per node, one connection at a
 * time, "connected" reported as it comes and goes, the node electing for itself while cut off, and a
 * close that ends it for good and frees the node for another link.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { LocalNode } from "../../lib/index.js";
import { createSessionMux } from "../../bindings/session-mux.js";
import { UpstreamAlreadyLinkedError } from "../../lib/sync/upstream-already-linked-error.js";
import { UpstreamLink } from "../../lib/sync/up/upstream-link.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
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

describe("an upstream link", () => {
  it("is one per node: a second one is refused while the first lasts, and allowed once it closed", async () => {
    const { leaf, wire } = tree();
    expect(() => new UpstreamLink(leaf)).toThrow(UpstreamAlreadyLinkedError);
    await wire.close();
    const next = new UpstreamLink(leaf);
    await next.close();
  });

  it("runs one connection at a time", async () => {
    const { wire } = tree();
    const spare = createMemoryCarrierPair();
    await expect(wire.upstream.run(createSessionMux(spare.a))).rejects.toThrow(/already running/);
    spare.a.close();
  });

  it("reports connected once in sync with the parent, and not connected when the connection ends", async () => {
    const { wire } = tree();
    const seen: boolean[] = [];
    wire.upstream.onConnected((connected) => seen.push(connected));
    await settle();
    expect(wire.upstream.connected).toBe(true);
    expect(seen).toEqual([true]);
    await wire.cut();
    expect(wire.upstream.connected).toBe(false);
    expect(seen).toEqual([true, false]);
    wire.connect();
    await settle();
    expect(seen).toEqual([true, false, true]);
  });

  it("leaves elections to the parent while linked, and elects for its node again once cut off", async () => {
    const { root, leaf, wire } = tree();
    const atRoot = root.object([], "x").expose<string>();
    atRoot.set("from the root");
    const atLeaf = leaf.object([], "x").expose<string>();
    const observer = leaf.object([], "x").observe<string>();
    await settle();
    expect([atRoot.assigned, atLeaf.assigned]).toEqual([true, false]);
    expect(observer.data).toBe("from the root");
    await wire.cut();
    expect(atLeaf.assigned).toBe(true);
    atLeaf.set("from the leaf");
    expect(observer.state).toMatchObject({ data: "from the leaf", synchronized: true });
  });

  it("ends for good on close(): the running connection resolves undefined, a later run() closes its connection at once", async () => {
    const { wire } = tree();
    await settle();
    await wire.upstream.close();
    expect(await wire.generation).toBeUndefined();
    const later = createMemoryCarrierPair();
    const mux = createSessionMux(later.a);
    expect(await wire.upstream.run(mux)).toBeUndefined();
    expect(mux.closed).toBe(true);
  });
});
