/**
 * PendingAssignments, objects elected to a child's tag exposer before the child opened them: taken
 * once by the session that opens, dropped only by the tag that holds them (and with it the object's
 * announcement to the child).
 */
import { afterEach, expect, it, vi } from "vitest";
import { LocalNode, ObjectDescriptor, TagDescriptor } from "../../lib/index.js";
import { PendingAssignments } from "../../lib/sync/down/pending-assignments.js";
import { HandChild } from "./hand-child.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it("hands an assignment to the session that opens it, once", () => {
  const pending = new PendingAssignments<string>();
  pending.assign("a", "tag one");
  expect(pending.has("a")).toBe(true);
  expect(pending.take("a")).toBe("tag one");
  expect(pending.has("a")).toBe(false);
  expect(pending.take("a")).toBeUndefined();
});

it("drops an assignment only when the tag that holds it loses the object", () => {
  const pending = new PendingAssignments<string>();
  pending.assign("a", "tag one");
  pending.assign("a", "tag two");
  pending.release("a", "tag one");
  expect(pending.has("a")).toBe(true);
  pending.release("a", "tag two");
  expect(pending.has("a")).toBe(false);
});

it("drops every assignment when the link ends", () => {
  const pending = new PendingAssignments<string>();
  pending.assign("a", "t");
  pending.assign("b", "t");
  pending.clear();
  expect([pending.has("a"), pending.has("b")]).toEqual([false, false]);
});

it("on a link, an object elected to the child's tag exposer is announced while pending and withdrawn when the tag loses it", async () => {
  const root = new LocalNode({ name: "root" });
  const child = await HandChild.link(root, "hand");
  cleanup.push(() => root.close(), () => child.close());
  const tag = new TagDescriptor("fleet");
  const descriptor = new ObjectDescriptor([tag], "truck");
  root.object(descriptor).observe();
  child.tagInterest(tag, false, 1);
  await vi.waitFor(() => expect(child.announced).toEqual([descriptor.key]));
  child.tagInterest(tag, false, 0);
  await vi.waitFor(() => expect(child.withdrawn).toEqual([descriptor.key]));
});
