/**
 * The monitor objects match reality in a three-level tree over real WebSockets: root ← middle ← leaves,
 * every node monitoring under one tag, observed at the root. After each step (joins, an election, a
 * failover, leaves) every node's snapshot says who it is linked to (names, principals, addresses), which
 * link is elected for each object, who observes it and which version it holds.
 */
import { afterEach, expect, it, vi } from "vitest";
import type { JsonValue } from "../../lib/descriptor/json-value.js";
import type { LinkSnapshot, NodeSnapshot, ObjectSnapshot } from "../../lib/monitor/node-snapshot.js";
import { connect, listen, LocalNode, type Upstream } from "../../lib/node-entry.js";
import { encodeState } from "../../lib/sync/state-encoding.js";
import { OutboundPaths, PathDictionary } from "../../lib/sync/wire/path-dictionary.js";
import type { AuthRequest } from "../../lib/trust/auth-request.js";

const TAG = "monitor";
/** Snapshots refresh this often while observed (milliseconds). */
const INTERVAL_MS = 20;
/** Pings often enough for round trips to be measured at once; silence is judged leniently on a loaded machine. */
const LINK_TIMING = { keepAliveMs: 50, deadAfterMs: 20_000 } as const;

/** How long a condition is waited for before the test fails, and how often it is looked at. */
const WAIT = { timeout: 15_000, interval: 10 } as const;

const nodes: LocalNode[] = [];
afterEach(async () => {
  for (const each of nodes.splice(0).reverse()) await each.close();
});

/** Every child is the principal its token names; the token "bad" is refused. */
function authenticate({ token }: AuthRequest): { id: string } {
  if (token === "bad") throw new Error("this token is revoked");
  return { id: `principal-${token ?? "none"}` };
}

/** A router: a node listening with the monitor tag (and linked to `parent` when given). */
async function router(name: string, parent?: string): Promise<{ node: LocalNode; url: string; upstream: Upstream | undefined }> {
  const node = new LocalNode({ name });
  nodes.push(node);
  const upstream = parent === undefined ? undefined : connect(node, parent, { token: name, ...LINK_TIMING });
  const { url } = await listen(node, { port: 0, monitorTag: TAG, monitorIntervalMs: INTERVAL_MS, authenticate, ...LINK_TIMING });
  return { node, url, upstream };
}

/** A leaf: a node monitoring by its own options, linked to `parent`. */
function leaf(name: string, parent: string, token: string = name): { node: LocalNode; upstream: Upstream } {
  const node = new LocalNode({ name, monitorTag: TAG, monitorIntervalMs: INTERVAL_MS });
  nodes.push(node);
  return { node, upstream: connect(node, parent, { token, ...LINK_TIMING }) };
}

/** What the root sees under the monitor tag: each node's latest snapshot, by node name. */
function treeView(root: LocalNode): () => Map<string, NodeSnapshot> {
  const observer = root.tag(TAG).observe<JsonValue>();
  return () => {
    const byName = new Map<string, NodeSnapshot>();
    for (const { state } of observer.objects.values()) {
      const snapshot = state?.data as NodeSnapshot | undefined;
      if (snapshot !== undefined) byName.set(snapshot.node, snapshot);
    }
    return byName;
  };
}

/** Runs `check` on the tree's snapshots until it passes (they refresh every INTERVAL_MS). */
async function eventually(view: () => Map<string, NodeSnapshot>, check: (tree: Tree) => void): Promise<void> {
  await vi.waitFor(() => check(new Tree(view())), WAIT);
}

/** The snapshots of a tree, with lookups that fail with a reason. */
class Tree {
  constructor(readonly snapshots: Map<string, NodeSnapshot>) {}

  node(name: string): NodeSnapshot {
    const snapshot = this.snapshots.get(name);
    if (snapshot === undefined) throw new Error(`no snapshot of ${name} yet (have ${[...this.snapshots.keys()].join(", ")})`);
    return snapshot;
  }

  link(node: string, peer: string): LinkSnapshot {
    const link = this.node(node).links.find((each) => each.name === peer);
    if (link === undefined) throw new Error(`${node} has no link named ${peer}`);
    return link;
  }

  object(node: string, matches: (descriptor: ObjectSnapshot["descriptor"]) => boolean): ObjectSnapshot {
    const object = this.node(node).objects.find((each) => matches(each.descriptor));
    if (object === undefined) throw new Error(`${node} has no such object`);
    return object;
  }

  /** The monitor object of node `of`, as node `node` holds it. */
  monitorObject(node: string, of: string): ObjectSnapshot {
    return this.object(node, (descriptor) => (descriptor.json as { node?: string } | null)?.node === of);
  }
}

const DATA = { tags: ["data"], json: { id: 1 } } as const;
const isData = (descriptor: ObjectSnapshot["descriptor"]): boolean => JSON.stringify(descriptor) === JSON.stringify({ tags: ["data"], json: { id: 1 } });

it("every node's snapshot matches the tree after joins, an election, a failover and leaves", async () => {
  const root = await router("root");
  const middle = await router("middle", root.url);
  const leafA = leaf("leaf-a", middle.url);
  const leafB = leaf("leaf-b", middle.url);
  const view = treeView(root.node);

  // Joins: each node's links and upstream, with names, principals, addresses and round trips.
  await eventually(view, (tree) => {
    expect([...tree.snapshots.keys()].sort()).toEqual(["leaf-a", "leaf-b", "middle", "root"]);
    const rootSnapshot = tree.node("root");
    expect(rootSnapshot.upstream).toBeNull();
    expect(rootSnapshot.links).toHaveLength(1);
    expect(tree.link("root", "middle")).toMatchObject({ principal: "principal-middle", address: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/) });
    expect(tree.link("root", "middle").roundTripMs).toEqual(expect.any(Number));
    expect(tree.node("middle").upstream).toMatchObject({ url: root.url, status: "connected", name: "root", lastError: null, roundTripMs: expect.any(Number) });
    expect(tree.node("middle").links.map((link) => [link.name, link.principal]).sort()).toEqual([
      ["leaf-a", "principal-leaf-a"],
      ["leaf-b", "principal-leaf-b"],
    ]);
    for (const name of ["leaf-a", "leaf-b"]) {
      expect(tree.node(name).upstream).toMatchObject({ url: middle.url, status: "connected", name: "middle" });
      expect(tree.node(name).links).toEqual([]);
      expect(tree.link("middle", name).roundTripMs).toEqual(expect.any(Number));
    }
    // Which link each monitor object is elected to, as each node sees it.
    expect(tree.monitorObject("root", "root").exposer).toEqual({ kind: "contract" });
    for (const name of ["middle", "leaf-a", "leaf-b"]) {
      expect(tree.monitorObject("root", name).exposer).toEqual({ kind: "link", link: tree.link("root", "middle").id, name: "middle" });
    }
    expect(tree.monitorObject("middle", "middle").exposer).toEqual({ kind: "contract" });
    expect(tree.monitorObject("middle", "leaf-a").exposer).toEqual({ kind: "link", link: tree.link("middle", "leaf-a").id, name: "leaf-a" });
    expect(tree.monitorObject("leaf-a", "leaf-a")).toMatchObject({ exposer: { kind: "contract" }, synchronized: true, observers: 1 });
    expect(tree.node("middle").events.filter((event) => event.kind === "linked").map((event) => event.link).sort()).toEqual(
      [tree.link("middle", "leaf-a").id, tree.link("middle", "leaf-b").id].sort(),
    );
  });

  // An election: leaf-a exposes an object that leaf-b observes.
  const exposedByA = leafA.node.object(DATA.tags, DATA.json).expose<JsonValue>({ capacity: 1 });
  const padding = "x".repeat(200);
  exposedByA.set({ n: 1, padding }, { version: [1] });
  const observedByB = leafB.node.object(DATA.tags, DATA.json).observe<JsonValue>();
  await vi.waitFor(() => expect(observedByB.state?.version).toEqual([1]), WAIT);
  exposedByA.set({ n: 2, padding }, { version: [2] });
  // The diff's bytes on the state wire: the first diff on each link, so it carries the definition of /n.
  const stateOf = (n: number) => ({ version: [n], format: ["JSON"], data: { n, padding }, synchronized: true, epoch: 1 });
  const patchLength = encodeState(stateOf(2), stateOf(1), new OutboundPaths(new PathDictionary())).length;
  await eventually(view, (tree) => {
    const atMiddle = tree.object("middle", isData);
    expect(atMiddle).toMatchObject({ version: [2], synchronized: true, observers: 1, exposers: 1, diffBytes: patchLength });
    expect(atMiddle.exposer).toEqual({ kind: "link", link: tree.link("middle", "leaf-a").id, name: "leaf-a" });
    expect(tree.object("leaf-a", isData)).toMatchObject({ exposer: { kind: "contract" }, version: [2], diffBytes: patchLength });
    expect(tree.object("leaf-b", isData)).toMatchObject({ exposer: { kind: "upstream" }, version: [2], synchronized: true, observers: 1 });
    // The root decides for the middle's subtree, and holds no state of it (nobody above needs the data).
    expect(tree.object("root", isData)).toMatchObject({ exposer: { kind: "link", link: tree.link("root", "middle").id, name: "middle" }, version: null, observers: 1 });
    // What each link carries: leaf-a exposes its monitor object and the data, leaf-b observes the data and exposes its monitor object.
    expect(tree.link("middle", "leaf-a")).toMatchObject({ observed: 0, exposed: 2 });
    expect(tree.link("middle", "leaf-b")).toMatchObject({ observed: 1, exposed: 1 });
    expect(tree.link("root", "middle")).toMatchObject({ observed: 1, exposed: 4 });
  });

  // A failover: leaf-c joins as a second candidate, then leaf-a goes away.
  const leafC = leaf("leaf-c", middle.url);
  const exposedByC = leafC.node.object(DATA.tags, DATA.json).expose<JsonValue>({ capacity: 1 });
  exposedByC.set({ n: 3, padding }, { version: [3] });
  await eventually(view, (tree) => expect(tree.object("middle", isData).exposers).toBe(2));
  const leafAId = new Tree(view()).link("middle", "leaf-a").id;
  await leafA.node.close();
  await vi.waitFor(() => expect(observedByB.state).toMatchObject({ version: [3], synchronized: true }), WAIT);
  await eventually(view, (tree) => {
    expect(tree.snapshots.has("leaf-a")).toBe(false);
    expect(tree.node("middle").links.map((link) => link.name).sort()).toEqual(["leaf-b", "leaf-c"]);
    const atMiddle = tree.object("middle", isData);
    expect(atMiddle).toMatchObject({ version: [3], synchronized: true, observers: 1, exposers: 1 });
    expect(atMiddle.exposer).toEqual({ kind: "link", link: tree.link("middle", "leaf-c").id, name: "leaf-c" });
    expect(tree.object("leaf-c", isData)).toMatchObject({ exposer: { kind: "contract" }, version: [3] });
    expect(tree.object("leaf-b", isData)).toMatchObject({ exposer: { kind: "upstream" }, version: [3], synchronized: true });
    expect(tree.link("middle", "leaf-c")).toMatchObject({ observed: 0, exposed: 2 });
    const unlinked = tree.node("middle").events.filter((event) => event.kind === "unlinked");
    expect(unlinked).toEqual([expect.objectContaining({ link: leafAId, text: expect.stringContaining('"leaf-a"') })]);
  });

  // A child refused at authentication is an event and a refusal at the middle.
  const intruder = leaf("intruder", middle.url, "bad");
  await vi.waitFor(() => expect(intruder.upstream.status).toBe("closed"), WAIT);
  await eventually(view, (tree) => {
    expect(tree.node("middle").totals.refusals).toBe(1);
    expect(tree.node("middle").events.filter((event) => event.kind === "refused")).toEqual([
      expect.objectContaining({ text: expect.stringContaining("this token is revoked"), link: expect.any(Number) }),
    ]);
  });

  // Leaves: leaf-b goes, and with it the only observer of the data: nobody is elected for it any more.
  await leafB.node.close();
  await eventually(view, (tree) => {
    expect(tree.snapshots.has("leaf-b")).toBe(false);
    expect(tree.node("middle").links.map((link) => link.name)).toEqual(["leaf-c"]);
    expect(tree.object("middle", isData)).toMatchObject({ exposer: null, observers: 0, exposers: 1 });
    expect(tree.link("middle", "leaf-c")).toMatchObject({ observed: 0, exposed: 1 });
    expect(tree.link("root", "middle")).toMatchObject({ observed: 0, exposed: 2 });
  });
});
