/**
 * What a child may make its parent hold, over in-memory links: object sessions (maxObjects), tag
 * interests (maxTags), descriptor keys (maxDescriptorLength) and opens per second. Requests over the
 * first three are refused and told to onLimit while the link and the rest of its interests are served;
 * opening too fast closes the link, but the burst a child replays when it (re)connects does not.
 */
import { expect, it } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import type { JsonValue } from "../../lib/descriptor/json-value.js";
import { LocalNode, ObjectDescriptor, type ObjectObserve } from "../../lib/index.js";
import { DownstreamLink, type DownstreamLinkOptions } from "../../lib/sync/down/downstream-link.js";
import { LinkLimitError } from "../../lib/sync/link-limit-error.js";
import type { LinkLimitEvent } from "../../lib/sync/link-limits.js";
import { UpstreamLink } from "../../lib/sync/up/upstream-link.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { settle } from "./tree-fixture.js";
import { cleanupAfterEach } from "../test-cleanup.js";

const { defer, node } = cleanupAfterEach();

/** Links `child` under `parent` with these parent-side options; `events` collects the parent link's limit events. */
function linkChild(parent: LocalNode, child: LocalNode, options: DownstreamLinkOptions) {
  const memory = createMemoryCarrierPair();
  const events: LinkLimitEvent[] = [];
  const down = new DownstreamLink(parent, createSessionMux(memory.b), { ...options, onLimit: (event) => events.push(event) });
  const up = new UpstreamLink(child);
  const generation = up.run(createSessionMux(memory.a));
  let result: Error | undefined | null = null;
  void down.closed.then((error) => (result = error));
  defer(async () => {
    await up.close();
    await generation;
    await down.closed;
  });
  return {
    down,
    events,
    /** What the parent's link ended with: null while it runs. */
    get result() {
      return result;
    },
  };
}

/** `count` objects exposed on `root` with data `{ i }`. */
function exposed(root: LocalNode, count: number, json: (i: number) => JsonValue = (i) => i): ObjectDescriptor[] {
  return Array.from({ length: count }, (_, i) => {
    const descriptor = new ObjectDescriptor(["limits"], json(i));
    root.object(descriptor).expose<{ i: number }>().set({ i });
    return descriptor;
  });
}

const served = <T>(observers: readonly ObjectObserve<T>[]) => observers.filter((observer) => observer.data !== undefined).length;

it("refuses Opens over maxObjects, each told to onLimit, serves the rest, and takes Opens again once the child closed some", async () => {
  const root = node("root");
  const child = node("child");
  const linked = linkChild(root, child, { linkLimits: { maxObjects: 5 } });
  const objects = exposed(root, 9);
  const observers = objects.slice(0, 8).map((descriptor) => child.object(descriptor).observe());
  await settle();
  expect(served(observers)).toBe(5);
  expect(linked.events).toHaveLength(3);
  for (const event of linked.events) {
    expect(event).toMatchObject({ limit: "maxObjects", value: 5 });
    expect(event.what).toMatch(/^refused the Open of .*"limits".*: 5 object sessions are open$/);
  }
  expect(linked.result).toBeNull();

  // Two served observers go: their sessions close, and the child may open two more.
  for (const observer of observers.filter((each) => each.data !== undefined).slice(0, 2)) observer.terminate();
  const late = child.object(objects[8]!).observe<{ i: number }>();
  await settle();
  expect(late.data).toEqual({ i: 8 });
  expect(linked.events).toHaveLength(3);
});

it("ignores tag interests over maxTags, told to onLimit, and serves the tags it took", async () => {
  const root = node("root");
  const child = node("child");
  const linked = linkChild(root, child, { linkLimits: { maxTags: 2 } });
  for (const tag of ["t0", "t1", "t2", "t3"]) root.object([tag], tag).expose<string>().set(tag);
  const observers = ["t0", "t1", "t2", "t3"].map((tag) => child.tag(tag).observe<string>());
  await settle();
  expect(observers.map((observer) => observer.objects.size)).toEqual([1, 1, 0, 0]);
  expect(linked.events.map((event) => [event.limit, event.value, event.what])).toEqual([
    ["maxTags", 2, 'refused the interest in tag "t2": 2 tags are held'],
    ["maxTags", 2, 'refused the interest in tag "t3": 2 tags are held'],
  ]);
  expect(linked.result).toBeNull();
});

it("refuses objects and tags whose keys would take the link past maxDescriptorLength", async () => {
  const root = node("root");
  const child = node("child");
  const linked = linkChild(root, child, { linkLimits: { maxDescriptorLength: 1000 } });
  const objects = exposed(root, 3, (i) => ({ i, pad: "p".repeat(400) }));
  const observers = objects.map((descriptor) => child.object(descriptor).observe());
  await settle();
  expect(served(observers)).toBe(2);
  child.tag("t".repeat(300)).observe();
  await settle();
  expect(linked.events.map((event) => event.limit)).toEqual(["maxDescriptorLength", "maxDescriptorLength"]);
  expect(linked.events[0]!.what).toMatch(/: its key of 4\d\d characters would take the link's keys past the limit$/);
  expect(linked.events[1]!.what).toMatch(/^refused the interest in tag "t+…: its key of 302 characters/);

  // A served object goes: its key no longer counts, and one as long fits.
  observers.find((observer) => observer.data !== undefined)!.terminate();
  const [another] = exposed(root, 1, () => ({ another: true, pad: "p".repeat(400) }));
  const late = child.object(another!).observe();
  await settle();
  expect(late.data).toEqual({ i: 0 });
  expect(linked.events).toHaveLength(2);
});

it("closes a link that opens faster than opensPerSecond once its burst is spent", async () => {
  const root = node("root");
  const child = node("child");
  const linked = linkChild(root, child, { linkLimits: { maxObjects: 4, maxTags: 1, opensPerSecond: 1 } });
  const [descriptor] = exposed(root, 1);
  // Observe and let go of one object, again and again: an Open and a Close each time.
  for (let i = 0; i < 20 && linked.result === null; i++) {
    const observer = child.object(descriptor!).observe();
    await settle(2);
    observer.terminate();
    await settle(2);
  }
  await expect.poll(() => linked.result).toBeInstanceOf(LinkLimitError);
  const error = linked.result as unknown as LinkLimitError;
  expect(error).toMatchObject({ code: "LINK_LIMIT", limit: "opensPerSecond", value: 1 });
  expect(error.message).toBe(
    "the child opened objects and tags faster than that after a first 5, over opensPerSecond (1); the link is closed (raise linkLimits.opensPerSecond if this child is honest)",
  );
});

it("takes the burst of every interest a child replays when it links, however low opensPerSecond is", async () => {
  const root = node("root");
  const child = node("child");
  const objects = exposed(root, 30);
  const observers = objects.map((descriptor) => child.object(descriptor).observe());
  child.tag("a").observe();
  child.tag("b").observe();
  const linked = linkChild(root, child, { linkLimits: { maxObjects: 30, maxTags: 2, opensPerSecond: 1 } });
  await settle();
  expect(served(observers)).toBe(30);
  expect(linked.result).toBeNull();
  expect(linked.events).toEqual([]);
});
