/**
 * Each election of an exposer has an epoch that only grows, named in Assign; a child's states carry the
 * epoch they were made in, and the parent takes only those of the election in force: a state of an
 * earlier election (or of one not yet made) is dropped, whatever its version.
 */
import { afterEach, expect, it, vi } from "vitest";
import { LocalNode, ObjectDescriptor } from "../../lib/index.js";
import { HandChild } from "./hand-child.js";
import { settle } from "./tree-fixture.js";

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

  up.send("StateUp", { v: [1_000], e: former, s: true, d: "from the former election" });
  up.send("StateUp", { v: [2_000], e: current + 1, s: true, d: "from an election not made" });
  await settle();
  expect(observer.state).toBeUndefined();
  up.send("StateUp", { v: [1], e: current, s: true, d: "in force" });
  await vi.waitFor(() => expect(observer.state).toMatchObject({ data: "in force", version: [1], epoch: current }));
  up.send("StateUp", { v: [3_000], e: former, s: true, d: "late" });
  await settle();
  expect(observer.state).toMatchObject({ data: "in force", version: [1] });
});
