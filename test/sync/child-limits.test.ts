/**
 * ChildLimits, the link's limits on what one child makes its parent hold: counts and key lengths
 * refused (told to onLimit), opens over their rate closing the link with the first limit gone over.
 */
import { afterEach, expect, it, vi } from "vitest";
import { LocalNode, ObjectDescriptor, TagDescriptor } from "../../lib/index.js";
import { ChildLimits } from "../../lib/sync/down/child-limits.js";
import { LinkLimitError } from "../../lib/sync/link-limit-error.js";
import { type LinkLimitEvent, resolveLinkLimits } from "../../lib/sync/link-limits.js";
import { HandChild } from "./hand-child.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function limitsOf(overrides: Parameters<typeof resolveLinkLimits>[0]) {
  const events: LinkLimitEvent[] = [];
  const aborts: string[] = [];
  let now = 0;
  const limits = new ChildLimits(resolveLinkLimits(overrides), { abort: (message) => void aborts.push(message) }, (event) => events.push(event), () => now);
  return { limits, events, aborts, advance: (ms: number) => (now += ms) };
}

it("refuses one object or tag over its count, telling onLimit which limit and why", () => {
  const { limits, events, aborts } = limitsOf({ maxObjects: 2, maxTags: 1 });
  expect(limits.refusal("the Open of", "a", "maxObjects", 1)).toBeUndefined();
  expect(limits.refusal("the Open of", "a", "maxObjects", 2)).toBe("2 object sessions are open (maxObjects 2)");
  expect(limits.refusal("the interest in tag", "t", "maxTags", 1)).toBe("1 tags are held (maxTags 1)");
  expect(events.map(({ limit, value }) => [limit, value])).toEqual([["maxObjects", 2], ["maxTags", 1]]);
  expect(events[0]?.what).toMatch(/^refused the Open of "?a"?: 2 object sessions are open$/);
  expect(aborts).toEqual([]);
});

it("refuses a key that would take the held keys past maxDescriptorLength, and counts released keys out", () => {
  const { limits, events } = limitsOf({ maxDescriptorLength: 10 });
  expect(limits.refusal("the Open of", "123456", "maxObjects", 0)).toBeUndefined();
  limits.hold("123456");
  expect(limits.refusal("the Open of", "1234", "maxObjects", 1)).toBeUndefined();
  expect(limits.refusal("the Open of", "12345", "maxObjects", 1)).toMatch(/\(maxDescriptorLength 10\)$/);
  expect(events.map((event) => event.limit)).toEqual(["maxDescriptorLength"]);
  limits.release("123456");
  expect(limits.refusal("the Open of", "1234567890", "maxObjects", 0)).toBeUndefined();
});

it("lets a burst of maxObjects + maxTags opens through, then closes the link over opensPerSecond until the rate refills", () => {
  const { limits, aborts, advance } = limitsOf({ maxObjects: 2, maxTags: 1, opensPerSecond: 10 });
  for (let i = 0; i < 3; i++) expect(limits.mayOpen()).toBe(true);
  expect(limits.error).toBeUndefined();
  expect(limits.mayOpen()).toBe(false);
  expect(limits.error).toBeInstanceOf(LinkLimitError);
  expect(limits.error?.limit).toBe("opensPerSecond");
  expect(aborts).toHaveLength(1);
  advance(100);
  expect(limits.mayOpen()).toBe(true);
});

it("ends the link with the first limit it went over, once", () => {
  const { limits, aborts } = limitsOf({});
  const first = new LinkLimitError("maxQueueBytes", 1, "first");
  limits.closeOver(first);
  limits.closeOver(new LinkLimitError("maxCongestedMs", 2, "second"));
  expect(limits.error).toBe(first);
  expect(aborts).toEqual([first.message]);
});

it("tells onLimit of congestion with the limit's value on this link", () => {
  const { limits, events } = limitsOf({ queueBytes: 100, maxQueueBytes: 200 });
  limits.hit("queueBytes", "congested");
  expect(events).toEqual([{ limit: "queueBytes", value: 100, what: "congested" }]);
});

it("on a link, the keys of the child's tags count toward maxDescriptorLength with its objects'", async () => {
  const root = new LocalNode({ name: "root" });
  const tag = new TagDescriptor("t".repeat(40));
  const descriptor = new ObjectDescriptor([], "object");
  const child = await HandChild.link(root, "hand", { linkLimits: { maxDescriptorLength: tag.key.length + descriptor.key.length - 1 } });
  cleanup.push(() => root.close(), () => child.close());
  child.tagInterest(tag, true, 0);
  child.open(descriptor, { observed: true, capacity: 0 });
  await vi.waitFor(() => expect(child.events.map((event) => event.limit)).toEqual(["maxDescriptorLength"]));
});
