import { Redis } from "ioredis";
import { describe, expect, it, vi } from "vitest";
import { ClusterMember } from "../../lib/cluster/cluster-member.js";
import type { LocalNode } from "../../lib/local-node/local-node.js";
import { cleanupAfterEach } from "../test-cleanup.js";
import { sharedRedisServer } from "./shared-redis-server.js";

const server = sharedRedisServer();
const cleanup = cleanupAfterEach();
let clusters = 0;
const members = new Map<LocalNode, ClusterMember>();

/** Root nodes a, b, c… joined to one fresh cluster, with a short heartbeat. */
function roots(count = 2): LocalNode[] {
  const prefix = `g${++clusters}:`;
  const made: LocalNode[] = [];
  for (let i = 0; i < count; i++) {
    const node = cleanup.node(String.fromCharCode(97 + i));
    members.set(node, new ClusterMember(node, { url: server().url, prefix, leaseMs: 300 }));
    made.push(node);
  }
  return made;
}

const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 5 });

describe("tags across a cluster of roots", () => {
  it("shows a tag observer under one root the objects exposed under another, until nobody names them", async () => {
    const [a, b] = roots() as [LocalNode, LocalNode];
    const tagObserver = a.tag("t").observe<number>();
    const expose = b.object(["t"], "x").expose<number>();
    expose.set(7);
    await waitFor(() => expect([...tagObserver.objects.values()].map((object) => object.state?.data)).toEqual([7]));
    expect(expose.assigned).toBe(true);
    // The listing lasts while its member is live, without renewal: wait past the member's first heartbeat's end, and the object is still there.
    const redis = new Redis(server().port, "127.0.0.1");
    try {
      const listing = `g${clusters}:tag:${tagObserver.descriptor.key}`;
      const entries = await redis.smembers(listing);
      expect(entries.map((entry) => entry.split("\n")[0])).toEqual([expose.descriptor.key]);
      const member = entries[0]!.split("\n")[1]!;
      const first = Number(await redis.zscore(`g${clusters}:members`, member));
      await waitFor(async () => expect(Number(await redis.zscore(`g${clusters}:members`, member))).toBeGreaterThan(first + 300));
      expect(await redis.smembers(listing)).toEqual(entries);
    } finally {
      redis.disconnect();
    }
    expose.set(8);
    await waitFor(() => expect([...tagObserver.objects.values()].map((object) => object.state?.data)).toEqual([8]));
    expose.terminate();
    await waitFor(() => expect(tagObserver.objects.size).toBe(0));
  });

  it("stops showing a tag observer the objects named under a root that crashed, once its heartbeat lapsed", async () => {
    const [a, b] = roots() as [LocalNode, LocalNode];
    const tagObserver = a.tag("t").observe<number>();
    const observe = b.object(["t"], "x").observe<number>(); // named under b only, exposed nowhere
    await waitFor(() => expect([...tagObserver.objects.keys()]).toEqual([observe.descriptor.key]));
    members.get(b)!.crash(); // b's listing stays in Redis; it stops counting when b's heartbeat lapses
    await waitFor(() => expect(tagObserver.objects.size).toBe(0));
  });

  it("elects a tag exposer under one root for an object observed by descriptor under another", async () => {
    const [a, b] = roots() as [LocalNode, LocalNode];
    const tagExpose = b.tag("t").expose<string>();
    const observe = a.object(["t"], "y").observe<string>();
    await waitFor(() => expect(tagExpose.assigned.map((descriptor) => descriptor.key)).toEqual([observe.descriptor.key]));
    tagExpose.set(observe.descriptor, "by tag");
    await waitFor(() => expect(observe.state).toMatchObject({ data: "by tag", synchronized: true }));
  });

  it("splits objects 1:3 between roots whose tag exposers have capacities 1 and 3, one exposer each", async () => {
    const [a, b, c] = roots(3) as [LocalNode, LocalNode, LocalNode];
    const small = a.tag("t").expose<number>({ capacity: 1 });
    const large = b.tag("t").expose<number>({ capacity: 3 });
    const observers = Array.from({ length: 16 }, (_, i) => c.object(["t"], i).observe<number>());
    await waitFor(() => expect(small.assigned.length + large.assigned.length).toBe(16));
    // Within the rebalance threshold of 1:3 (4 and 12), as in one exchange: 3 and 13 are as balanced as it gets.
    await waitFor(() => expect([3, 4]).toContain(small.assigned.length));
    const keys = new Set([...small.assigned, ...large.assigned].map((descriptor) => descriptor.key));
    expect(keys.size).toBe(16);
    for (const descriptor of small.assigned) small.set(descriptor, 1);
    for (const descriptor of large.assigned) large.set(descriptor, 3);
    await waitFor(() => expect(observers.every((observer) => observer.state?.synchronized === true)).toBe(true));
  });

  it("moves objects to a root whose larger tag exposer came later, one at a time until within the threshold", async () => {
    const [a, b, c] = roots(3) as [LocalNode, LocalNode, LocalNode];
    const small = a.tag("t").expose<number>({ capacity: 1 });
    const observers = Array.from({ length: 8 }, (_, i) => c.object(["t"], i).observe<number>());
    await waitFor(() => expect(small.assigned).toHaveLength(8));
    const large = b.tag("t").expose<number>({ capacity: 3 });
    large.onAssignment(({ descriptor, assigned }) => {
      if (assigned) large.set(descriptor, 3);
    });
    await waitFor(() => expect([small.assigned.length, large.assigned.length]).toEqual([2, 6]));
    for (const descriptor of small.assigned) small.set(descriptor, 1);
    await waitFor(() => expect(observers.every((observer) => observer.state?.synchronized === true)).toBe(true));
  });
});
