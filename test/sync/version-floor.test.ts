import { afterEach, describe, expect, it, vi } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { createEndpoint } from "../../lib/choreography/index.js";
import { LocalNode, type NodeError } from "../../lib/index.js";
import { InvalidVersionError } from "../../lib/state/invalid-version-error.js";
import { MAX_VERSION_LENGTH } from "../../lib/state/version.js";
import { DownstreamLink } from "../../lib/sync/down/downstream-link.js";
import { downProgram, PROGRAM_HASH, PROTOCOL_VERSION, upProgram } from "../../lib/sync/protocol.js";
import { UpstreamLink } from "../../lib/sync/up/upstream-link.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { link, settle, type TestLink } from "./tree-fixture.js";

let open: Array<LocalNode | TestLink | { close(): unknown }> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

const MAX = Number.MAX_SAFE_INTEGER;
/** The last version possible: nothing orders after it. */
const LAST = Array.from({ length: MAX_VERSION_LENGTH }, () => MAX);
/** The version before it, whose only successor is the last one. */
const NEXT_TO_LAST = [...LAST.slice(1), MAX - 1];

/** A raw child speaking the link protocol by hand to a parent link into `root`. */
async function rawChild(root: LocalNode) {
  const memory = createMemoryCarrierPair();
  const parent = new DownstreamLink(root, createSessionMux(memory.b));
  const child = createEndpoint(downProgram, createSessionMux(memory.a), { checkOutbound: false });
  open.push({ close: () => (memory.a.close(), parent.closed) });
  child.send("Hello", { protocol: PROTOCOL_VERSION, program: PROGRAM_HASH, node: "claimant", resume: "r" });
  await child.offer().then((answer) => answer.recv());
  return { parent, child, interests: child.lane("interests") };
}

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

describe("a peer cannot poison an object's versions", () => {
  it("after a failover the new exposer's states, an explicit lower version too, supersede the far-future version the former exposer published; back again, the former cannot move it", async () => {
    const root = new LocalNode({ name: "root", clock: () => 1_000 });
    const [former, next, leaf] = [new LocalNode({ name: "former" }), new LocalNode({ name: "next", clock: () => 2_000 }), new LocalNode({ name: "leaf" })];
    open.push(root, former, next, leaf);
    const formerLink = link(root, former);
    open.push(link(root, next), link(root, leaf), formerLink);
    const observers = [root.object([], "failover").observe<string>(), leaf.object([], "failover").observe<string>()];
    const formerExposer = former.object([], "failover").expose<string>();
    expect(formerExposer.set("from the future", { version: [MAX - 1] })).toBe(true);
    for (const observer of observers) await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "from the future", version: [MAX - 1] }));
    const nextExposer = next.object([], "failover").expose<string>();
    await settle();
    expect([formerExposer.assigned, nextExposer.assigned]).toEqual([true, false]);

    await formerLink.cut();
    await vi.waitFor(() => expect(nextExposer.assigned).toBe(true));
    expect(nextExposer.set("explicit", { version: [5] })).toBe(true);
    for (const observer of observers) await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "explicit", version: [5], synchronized: true }));
    expect(nextExposer.set("after the failover")).toBe(true);
    for (const observer of observers) await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "after the failover", version: [2_000, 0] }));

    formerLink.connect();
    await settle(40);
    expect([formerExposer.assigned, nextExposer.assigned]).toEqual([false, true]);
    expect(formerExposer.set("late", { version: [MAX - 1, 1] })).toBe(true); // kept, unpublished: not elected
    await settle();
    for (const observer of observers) expect(observer.state).toMatchObject({ data: "after the failover", version: [2_000, 0] });
    expect(nextExposer.set("again")).toBe(true);
    for (const observer of observers) await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "again", version: [2_000, 1] }));
  });

  it("a child's claim of what it holds never moves the parent's version floor", async () => {
    const root = new LocalNode({ name: "root", clock: () => 1_000 });
    open.push(root);
    const expose = root.object([], "claimed").expose<string>();
    const { interests } = await rawChild(root);
    interests.send("Open", { session: 1, object: expose.descriptor, observed: true, capacity: 0, have: [MAX] });
    await settle();
    expect(expose.assigned).toBe(true);
    expect(expose.set("explicit", { version: [5] })).toBe(true); // not refused as older than the claim
    expose.set("default");
    const observe = root.object([], "claimed").observe<string>();
    expect(observe.state).toMatchObject({ data: "default", version: [1_000, 0] });
  });

  it("a child's Open naming the last version ends its link, and nothing else", async () => {
    const root = new LocalNode({ name: "root" });
    open.push(root);
    const expose = root.object([], "claimed").expose<string>();
    const { parent, interests } = await rawChild(root);
    interests.send("Open", { session: 1, object: expose.descriptor, observed: true, capacity: 0, have: LAST });
    const error = await parent.closed;
    expect(error?.name).toBe("SchemaMismatch");
    expect(error?.message).toMatch(/Open.*leave room for a later one/);
    expect(expose.set("still fine")).toBe(true);
  });

  it("an election whose exposer can get no version reports it, publishes nothing and keeps the link; set() throws", async () => {
    const leaf = new LocalNode({ name: "leaf", clock: () => 1_000 });
    open.push(leaf);
    const errors: NodeError[] = [];
    leaf.onError((error) => errors.push(error));
    const expose = leaf.object([], "used up").expose<string>();
    expose.set("held");
    const assignments: boolean[] = [];
    expose.onAssigned((assigned) => assignments.push(assigned));
    // A parent (faulty or hostile) that assigns the object with the version before the last one.
    const memory = createMemoryCarrierPair();
    const upstream = new UpstreamLink(leaf);
    const generation = upstream.run(createSessionMux(memory.a));
    open.push({ close: () => upstream.close() });
    const parent = createEndpoint(upProgram, createSessionMux(memory.b), { checkOutbound: false });
    await parent.recv("Hello");
    parent.send("Welcome", { node: "parent" });
    const sessions: Array<{ lane(name: "down"): { send(label: string, payload: unknown): unknown } }> = [];
    parent.lane("interests").serve({
      Open: (_open, session) => {
        const object = session as (typeof sessions)[number];
        sessions.push(object);
        if (sessions.length > 1) return; // a leaf whose session failed reopens it: answered once, no loop
        object.lane("down").send("Assign", { version: NEXT_TO_LAST });
        object.lane("down").send("Need", {}); // observed beyond the leaf: its exposer is elected
      },
      TagInterest: () => {},
      Refresh: () => {},
      Sync: () => parent.lane("decisions").send("Synced", {}),
      Ping: () => parent.lane("decisions").send("Pong", {}),
      Bye: () => parent.lane("decisions").send("Farewell", { reason: "bye" }),
    });
    await settle();
    expect(sessions).toHaveLength(1);
    expect(assignments).toEqual([true]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.error).toBeInstanceOf(InvalidVersionError);
    expect(errors[0]!.context).toMatch(/publishing its value on election/);
    expect(upstream.connected).toBe(true);
    expect(parent.state).toBe("open");
    expect(() => expose.set("more")).toThrow(/No version orders after .*cannot take a new state/);
    await upstream.close();
    await generation;
    await parent.closed;
  });
});
