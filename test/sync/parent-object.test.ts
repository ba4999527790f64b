/**
 * ParentObject, the child's side of one object's session, driven message by message by a hand-spoken
 * parent: what it does with the parent's decisions and states, and what it sends up.
 */
import { afterEach, expect, it, vi } from "vitest";
import { MIN_FLOW_WINDOW_BYTES } from "../../bindings/flow-window.js";
import type { SessionMuxOptions } from "../../bindings/session-mux.js";
import { LocalNode } from "../../lib/index.js";
import { type ChildSession, HandParent } from "./hand-parent.js";
import { settle } from "./tree-fixture.js";
import { wireState } from "./wire/plain-states.js";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function linked(mux: SessionMuxOptions = {}): Promise<{ leaf: LocalNode; parent: HandParent }> {
  const leaf = new LocalNode({ name: "leaf" });
  const parent = await HandParent.link(leaf, mux);
  cleanup.push(
    async () => leaf.close(),
    () => parent.close(),
  );
  return { leaf, parent };
}

/** The one object session the child opened, once it did. */
async function onlySession(parent: HandParent): Promise<ChildSession> {
  return await vi.waitFor(() => {
    expect(parent.sessions.size).toBe(1);
    return [...parent.sessions.values()][0]!;
  });
}

const document = (field: string) => ({ field, padding: "p".repeat(300) });

it("takes the parent's states as the object's when elected elsewhere, even one that orders before the one held", async () => {
  const { leaf, parent } = await linked();
  const exposer = leaf.object([], "x").expose<string>();
  const observer = leaf.object([], "x").observe<string>();
  exposer.set("the leaf's own", { version: [10] });
  const session = await onlySession(parent);
  session.down.send("Release", { epoch: 5 });
  session.down.send("StateDown", wireState({ v: [3], e: 5, s: true, d: "the parent's" }));
  await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "the parent's", version: [3] }));
  session.down.send("StateDown", wireState({ v: [2], e: 5, s: true, d: "the parent's, going back" }));
  await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "the parent's, going back", version: [2] }));
  expect(exposer.assigned).toBe(false);
});

it("acknowledges none of the parent's states it applies, and asks once for a full state when a burst of diffs misses its base", async () => {
  const { leaf, parent } = await linked();
  const observer = leaf.object([], "acked").observe<string>();
  const session = await onlySession(parent);
  session.down.send("Release", { epoch: 1 });
  session.down.send("StateDown", wireState({ v: [1], e: 1, s: true, d: "one" }));
  session.down.send("StateDown", wireState({ v: [2], e: 1, s: true, d: "two" }));
  await vi.waitFor(() => expect(observer.data).toBe("two"));
  await settle();
  expect(session.acks).toEqual([]);
  session.down.send("StateDown", wireState({ v: [4], e: 1, s: true, b: [3], p: [{ op: "replace", path: "", value: "four" }] }));
  session.down.send("StateDown", wireState({ v: [5], e: 1, s: true, b: [4], p: [{ op: "replace", path: "", value: "five" }] }));
  await vi.waitFor(() => expect(session.acks).toEqual([{ v: [2], resync: true }]));
  await settle();
  expect(session.acks).toHaveLength(1);
});

it("sends the node's states up while the parent needs them, in full and then as diffs, and stops on Unneed", async () => {
  const { leaf, parent } = await linked();
  const exposer = leaf.object([], "needed").expose<ReturnType<typeof document>>();
  const session = await onlySession(parent);
  expect(session.open.capacity).toBeGreaterThan(0);
  session.down.send("Assign", { epoch: 7 });
  session.down.send("Need", {});
  await vi.waitFor(() => expect(exposer.assigned).toBe(true));
  exposer.set(document("first"));
  await vi.waitFor(() => expect(session.states).toHaveLength(1));
  exposer.set(document("second"));
  await vi.waitFor(() => expect(session.states).toHaveLength(2));
  expect(session.states[0]).toMatchObject({ e: 7, d: document("first") });
  expect(session.states[1]!.p).toBeDefined();
  session.down.send("Unneed", {});
  await settle();
  exposer.set(document("third"));
  await settle();
  expect(session.states).toHaveLength(2);
});

it("holds states going up back while the parent has not receipted a flow window of them, and sends the latest once it reads", async () => {
  const { leaf, parent } = await linked({ flowWindowBytes: MIN_FLOW_WINDOW_BYTES });
  const exposer = leaf.object([], "windowed").expose<ReturnType<typeof document>>();
  const session = await onlySession(parent);
  session.down.send("Assign", { epoch: 1 });
  session.down.send("Need", {});
  await vi.waitFor(() => expect(exposer.assigned).toBe(true));
  const traffic = parent.memory.faults.counters.aToB;
  parent.memory.faults.pause("aToB"); // the parent reads nothing of what the child sends
  cleanup.push(async () => parent.memory.faults.resume("aToB"));
  const before = traffic.bytesSent;
  let latest = 0;
  for (let n = 1; n <= 100; n++) {
    exposer.set({ field: `update ${n}`, padding: `${n}`.repeat(1500) }); // each a diff of 1.5 to 4.5 KB
    latest = n;
    await settle(1);
  }
  const sent = traffic.bytesSent - before;
  parent.memory.faults.resume("aToB");
  // A window's worth (and the one state that went over it), not the 300 KB of 100 states.
  expect(sent).toBeLessThan(MIN_FLOW_WINDOW_BYTES + 8192);
  await vi.waitFor(() => expect(JSON.stringify(session.states.at(-1))).toContain(`update ${latest}`));
  expect(session.states.length).toBeLessThan(20);
  expect(parent.upstream.connected).toBe(true); // held back, never cut off
});

it("tells the parent the subtree's interest only when it changes, and closes the session when none is left", async () => {
  const { leaf, parent } = await linked();
  const first = leaf.object([], "watched").observe();
  const session = await onlySession(parent);
  expect(session.open).toMatchObject({ observed: true, capacity: 0 });
  const second = leaf.object([], "watched").observe();
  const exposer = leaf.object([], "watched").expose();
  await vi.waitFor(() => expect(session.interests).toEqual([{ observed: true, capacity: 1 }]));
  first.terminate();
  await settle();
  expect(session.interests).toEqual([{ observed: true, capacity: 1 }]);
  second.terminate();
  exposer.terminate();
  await vi.waitFor(() => expect(session.closed).toBe(true));
  expect(session.interests).toEqual([{ observed: true, capacity: 1 }]);
});

it("surfaces the parent's denial on the node's contracts until the parent grants the access again", async () => {
  const { leaf, parent } = await linked();
  const errors: unknown[] = [];
  leaf.onError((error) => errors.push(error)); // a denial is also one of the node's errors
  const observer = leaf.object([], "guarded").observe();
  const session = await onlySession(parent);
  session.down.send("Denied", { access: "observe", reason: "no grant to observe guarded" });
  await vi.waitFor(() => expect(observer.denial?.reason).toBe("no grant to observe guarded"));
  expect(errors).toHaveLength(1);
  session.down.send("Granted", { access: "observe" });
  await vi.waitFor(() => expect(observer.denial).toBeUndefined());
});
