/**
 * ChildObject, the parent's side of one object's session, driven message by message by a hand-spoken
 * child: what it takes of the child's states, when it asks for a full one, and how the session ends.
 */
import { afterEach, expect, it, vi } from "vitest";
import { LocalNode, ObjectDescriptor } from "../../lib/index.js";
import { HandChild } from "./hand-child.js";
import { settle } from "./tree-fixture.js";
import { wireState } from "./wire/plain-states.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setUp() {
  const root = new LocalNode({ name: "root" });
  const child = await HandChild.link(root, "hand");
  cleanup.push(() => root.close(), () => child.close());
  return { root, child, descriptor: new ObjectDescriptor([], "relayed") };
}

it("publishes the child's states while its subtree exposes the object: newer ones only, the version held as its flag", async () => {
  const { root, child, descriptor } = await setUp();
  const observer = root.object(descriptor).observe<string>();
  const session = child.open(descriptor, { observed: false, capacity: 1 });
  await vi.waitFor(() => expect(session.decisions).toEqual(["Assign", "Need"]));
  const up = session.session.lane("up");
  const e = session.assignedEpochs[0]!;
  up.send("StateUp", wireState({ v: [2], e, s: true, d: "two" }));
  await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "two", version: [2], synchronized: true }));
  up.send("StateUp", wireState({ v: [2], e, s: false }));
  await vi.waitFor(() => expect(observer.state?.synchronized).toBe(false));
  expect(observer.state).toMatchObject({ data: "two", version: [2] });
  up.send("StateUp", wireState({ v: [1], e, s: true, d: "one, older" }));
  await settle();
  expect(observer.state).toMatchObject({ data: "two", version: [2], synchronized: false });
});

it("acknowledges none of the child's states it applies, and asks once for a full state when a burst of diffs misses its base", async () => {
  const { root, child, descriptor } = await setUp();
  root.object(descriptor).observe();
  const session = child.open(descriptor, { observed: false, capacity: 1 });
  await vi.waitFor(() => expect(session.decisions).toEqual(["Assign", "Need"]));
  const up = session.session.lane("up");
  const e = session.assignedEpochs[0]!;
  up.send("StateUp", wireState({ v: [1], e, s: true, d: "one" }));
  up.send("StateUp", wireState({ v: [2], e, s: true, d: "two" }));
  await settle();
  expect(session.acks).toEqual([]);
  up.send("StateUp", wireState({ v: [4], e, s: true, b: [3], p: [{ op: "replace", path: "", value: "four" }] }));
  up.send("StateUp", wireState({ v: [5], e, s: true, b: [4], p: [{ op: "replace", path: "", value: "five" }] }));
  await vi.waitFor(() => expect(session.acks).toEqual([{ v: [2], resync: true }]));
  await settle();
  expect(session.acks).toHaveLength(1);
});

it("answers the child's Close with Closed, and takes the child's interest out of the exchange", async () => {
  const { root, child, descriptor } = await setUp();
  const exposer = root.object(descriptor).expose<string>();
  const session = child.open(descriptor, { observed: true, capacity: 0 });
  await vi.waitFor(() => expect(exposer.assigned).toBe(true));
  session.close();
  await vi.waitFor(() => expect(session.decisions).toContain("Closed"));
  await vi.waitFor(() => expect(exposer.assigned).toBe(false));
  await settle();
  expect(session.ended?.error).toBeUndefined();
});

it("counts the object among the link's exposed ones while the child's session is elected, and lets it go to a local exposer when the child leaves it", async () => {
  const { root, child, descriptor } = await setUp();
  root.object(descriptor).observe();
  const session = child.open(descriptor, { observed: false, capacity: 1 });
  await vi.waitFor(() => expect(session.decisions).toEqual(["Assign", "Need"]));
  expect(child.parent.interestCounts()).toEqual({ observed: 0, exposed: 1 });
  const local = root.object(descriptor).expose<string>();
  session.session.lane("up").send("Interest", { observed: false, capacity: 0 });
  await vi.waitFor(() => expect(local.assigned).toBe(true));
  expect(child.parent.interestCounts()).toEqual({ observed: 0, exposed: 0 });
});
