/**
 * ChildHolds, what a child most likely holds of each object whose session ended: found again by its
 * version and epoch, bounded (the oldest go first), handed to the resume store when the link ends.
 */
import { expect, it, vi } from "vitest";
import { LocalNode, ObjectDescriptor } from "../../lib/index.js";
import type { ObjectState } from "../../lib/state/object-state.js";
import { ChildHolds } from "../../lib/sync/down/child-holds.js";
import { ResumeStore, resumeStoreOf } from "../../lib/sync/resume-store.js";
import { HandChild } from "./hand-child.js";

function state(version: number, epoch?: number): ObjectState<unknown> {
  return { version: [version], format: ["JSON"], data: version, synchronized: true, ...(epoch === undefined ? {} : { epoch }) };
}

it("finds what the child held by version and epoch only", () => {
  const holds = new ChildHolds(10);
  holds.ended("a", state(3, 2));
  expect(holds.heldBefore("a", [3], 2)).toEqual(state(3, 2));
  expect(holds.heldBefore("a", [3], 1)).toBeUndefined();
  expect(holds.heldBefore("a", [2], 2)).toBeUndefined();
  expect(holds.heldBefore("b", [3], 2)).toBeUndefined();
});

it("forgets an older hold when a session ends with nothing known", () => {
  const holds = new ChildHolds(10);
  holds.ended("a", state(1));
  holds.ended("a", undefined);
  expect(holds.heldBefore("a", [1], 0)).toBeUndefined();
});

it("keeps at most its bound, forgetting the oldest session's hold first", () => {
  const holds = new ChildHolds(2);
  holds.ended("a", state(1));
  holds.ended("b", state(1));
  holds.ended("a", state(2));
  holds.ended("c", state(1));
  expect(holds.heldBefore("b", [1], 0)).toBeUndefined();
  expect(holds.heldBefore("a", [2], 0)).toBeDefined();
  expect(holds.heldBefore("c", [1], 0)).toBeDefined();
});

it("hands its holds to the resume store under the child's token when the link ends, and forgets them", () => {
  const store = new ResumeStore(() => 0);
  const holds = new ChildHolds(10);
  holds.ended("a", state(1));
  holds.keepFor(store, "token");
  expect(holds.heldBefore("a", [1], 0)).toBeUndefined();
  expect([...(store.take("token") ?? [])]).toEqual([["a", state(1)]]);
  holds.ended("b", state(1));
  holds.keepFor(store, undefined);
  expect(store.size).toBe(0);
  new ChildHolds(10).keepFor(store, "empty");
  expect(store.size).toBe(0);
});

it("on a link, what the child was last sent of each object goes to the node's resume store under the child's resume token when the link ends", async () => {
  const root = new LocalNode({ name: "root" });
  const child = await HandChild.link(root, "hand");
  const descriptor = new ObjectDescriptor([], "kept");
  root.object(descriptor).expose<string>().set("data");
  const session = child.open(descriptor, { observed: true, capacity: 0 });
  await vi.waitFor(() => expect(session.states).toHaveLength(1));
  await child.close();
  const kept = resumeStoreOf(root.exchange).take("hand");
  await root.close();
  expect(kept?.get(descriptor.key)).toMatchObject({ data: "data" });
});
