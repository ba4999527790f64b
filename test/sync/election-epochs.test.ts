/**
 * Each election of an exposer has an epoch that only grows, named in Assign; a child's states carry the
 * epoch they were made in, and the parent takes only those of the election in force: a state of an
 * earlier election (or of one not yet made) is dropped, whatever its version.
 */
import { afterEach, expect, it, vi } from "vitest";
import { LocalNode, ObjectDescriptor } from "../../lib/index.js";
import { HandChild } from "./hand-child.js";
import { link, settle } from "./tree-fixture.js";
import { wireState } from "./wire/plain-states.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it("a parent drops a child's states of any election but the one in force, whatever their versions", async () => {
  const root = new LocalNode({ name: "root" });
  const child = await HandChild.link(root, "exposer");
  cleanup.push(() => root.close(), () => child.close());
  const descriptor = new ObjectDescriptor([], "fenced");
  const observer = root.object(descriptor).observe<string>();
  const session = child.open(descriptor, { observed: false, capacity: 1 });
  await vi.waitFor(() => expect(session.decisions).toEqual(["Assign", "Need"]));
  const up = session.session.lane("up");
  up.send("Interest", { observed: false, capacity: 0 });
  up.send("Interest", { observed: false, capacity: 1 });
  await vi.waitFor(() => expect(session.assignedEpochs).toHaveLength(2));
  const [former, current] = session.assignedEpochs as [number, number];
  expect(current).toBeGreaterThan(former);

  up.send("StateUp", wireState({ v: [1_000], e: former, s: true, d: "from the former election" }));
  up.send("StateUp", wireState({ v: [2_000], e: current + 1, s: true, d: "from an election not made" }));
  await settle();
  expect(observer.state).toBeUndefined();
  up.send("StateUp", wireState({ v: [1], e: current, s: true, d: "in force" }));
  await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "in force", version: [1], epoch: current }));
  up.send("StateUp", wireState({ v: [3_000], e: former, s: true, d: "late" }));
  await settle();
  expect(observer.state).toMatchObject({ data: "in force", version: [1] });
});

it("an exposer a parent elects again after a reconnect carries its state into the new election, and its next ones reach the parent", async () => {
  const root = new LocalNode({ name: "root" });
  const child = new LocalNode({ name: "child" });
  const linked = link(root, child);
  cleanup.push(() => root.close(), () => child.close(), () => linked.close());
  const observer = root.object([], "kept").observe<string>();
  const exposer = child.object([], "kept").expose<string>();
  child.object([], "kept").observe(); // keeps the exposer elected while the link is down
  exposer.set("before", { version: [10] });
  await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "before", synchronized: true }));
  const first = observer.state!.epoch!;
  await linked.cut();
  await vi.waitFor(() => expect(observer.state?.synchronized).toBe(false));
  linked.connect();
  await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "before", synchronized: true }));
  expect(observer.state!.epoch).toBeGreaterThan(first);
  expect(exposer.set("after", { version: [11] })).toBe(true);
  await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "after", version: [11], synchronized: true }));
});

it("a child holding a version of another election gets the state in full, never a flag for data it lacks", async () => {
  const root = new LocalNode({ name: "root" });
  const child = await HandChild.link(root, "observer");
  cleanup.push(() => root.close(), () => child.close());
  const descriptor = new ObjectDescriptor([], "same version");
  root.object(descriptor).expose<string>().set("this election's", { version: [1] });
  root.object(descriptor).observe();
  await settle();
  const session = child.open(descriptor, { observed: true, capacity: 0, have: [1], epoch: 99 });
  await vi.waitFor(() => expect(session.states).toHaveLength(1));
  expect(session.states[0]).toMatchObject({ v: [1], d: "this election's" });
});

it("a new election a parent makes of a subtree reaches the exposer below: a mid node tells its child the new epoch", async () => {
  const [root, mid, leaf] = [new LocalNode({ name: "root" }), new LocalNode({ name: "mid" }), new LocalNode({ name: "leaf" })];
  const upper = link(root, mid);
  const lower = link(mid, leaf);
  cleanup.push(() => root.close(), () => mid.close(), () => leaf.close(), () => lower.close(), () => upper.close());
  const observer = root.object([], "deep").observe<string>();
  const exposer = leaf.object([], "deep").expose<string>();
  leaf.object([], "deep").observe(); // keeps the leaf's subtree elected at mid while mid is cut off
  exposer.set("before", { version: [10] });
  await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "before", synchronized: true }));
  const first = observer.state!.epoch!;
  await upper.cut();
  await vi.waitFor(() => expect(observer.state?.synchronized).toBe(false));
  upper.connect();
  await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "before", synchronized: true }));
  expect(observer.state!.epoch).toBeGreaterThan(first);
  expect(exposer.set("after", { version: [11] })).toBe(true);
  await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "after", version: [11], synchronized: true }));
});
