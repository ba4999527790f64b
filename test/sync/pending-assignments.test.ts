/**
 * PendingAssignments, objects elected to a child's tag exposer before the child opened them: taken
 * once by the session that opens, dropped only by the tag that holds them.
 */
import { expect, it } from "vitest";
import { PendingAssignments } from "../../lib/sync/down/pending-assignments.js";

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
