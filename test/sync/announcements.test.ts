/**
 * Announcements, what a child was told of with Announce: each review tells the child only when
 * whether it should know of an object changed, and a review of the announced ones finds withdrawals.
 */
import { afterEach, expect, it, vi } from "vitest";
import { LocalNode, ObjectDescriptor, parsePolicy, TagDescriptor } from "../../lib/index.js";
import { ObjectEntry } from "../../lib/exchange/object-entry.js";
import { Announcements } from "../../lib/sync/down/announcements.js";
import { HandChild } from "./hand-child.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function announcing() {
  const wanted = new Set<string>();
  const told: string[] = [];
  const announcements = new Announcements({
    shouldKnow: (entry) => wanted.has(entry.key),
    announce: (label, object) => void told.push(`${label} ${object.key}`),
  });
  return { announcements, wanted, told };
}

const a = new ObjectEntry(new ObjectDescriptor([], "a"), []);
const b = new ObjectEntry(new ObjectDescriptor([], "b"), []);

it("announces an object once while it is wanted, withdraws it once when it no longer is", () => {
  const { announcements, wanted, told } = announcing();
  announcements.review(a);
  expect(told).toEqual([]);
  wanted.add(a.key);
  announcements.review(a);
  announcements.review(a);
  expect(told).toEqual([`Announce ${a.key}`]);
  wanted.delete(a.key);
  announcements.review(a);
  announcements.review(a);
  expect(told).toEqual([`Announce ${a.key}`, `Withdraw ${a.key}`]);
});

it("lists the announced objects as a copy that reviewing them does not disturb", () => {
  const { announcements, wanted, told } = announcing();
  wanted.add(a.key).add(b.key);
  announcements.review(a);
  announcements.review(b);
  const keys = announcements.keys();
  expect(keys).toEqual([a.key, b.key]);
  wanted.clear();
  for (const entry of [a, b]) announcements.review(entry);
  expect(keys).toEqual([a.key, b.key]);
  expect(announcements.keys()).toEqual([]);
  expect(told.slice(2)).toEqual([`Withdraw ${a.key}`, `Withdraw ${b.key}`]);
});

it("forgets every announcement without telling the child when the link ends", () => {
  const { announcements, wanted, told } = announcing();
  wanted.add(a.key);
  announcements.review(a);
  announcements.clear();
  expect(announcements.keys()).toEqual([]);
  announcements.review(a);
  expect(told).toEqual([`Announce ${a.key}`, `Announce ${a.key}`]);
});

it("on a link, a policy that revokes what the child observes by tag withdraws the objects announced for it", async () => {
  const root = new LocalNode({ name: "root" });
  const child = await HandChild.link(root, "hand");
  cleanup.push(() => root.close(), () => child.close());
  const tag = new TagDescriptor("fleet");
  const descriptor = new ObjectDescriptor([tag], "truck");
  root.object(descriptor).expose().set(1);
  child.tagInterest(tag, true, 0);
  await vi.waitFor(() => expect(child.announced).toEqual([descriptor.key]));
  child.parent.setPolicy(parsePolicy({ rules: [{ expose: [{ any: true }] }] }));
  await vi.waitFor(() => expect(child.withdrawn).toEqual([descriptor.key]));
});
