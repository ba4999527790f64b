import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { joinCluster } from "../../lib/cluster/cluster-member.js";
import { LocalNode } from "../../lib/local-node/local-node.js";
import { RedisServer } from "./redis-server.js";

let server: RedisServer;
const nodes: LocalNode[] = [];
let clusters = 0;

beforeAll(async () => {
  server = await RedisServer.start();
});

afterAll(async () => {
  await server.stop();
});

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

/** Two root nodes joined to one fresh cluster, with a short lease (listings expire as fast). */
function roots(): [LocalNode, LocalNode] {
  const prefix = `g${++clusters}:`;
  const [a, b] = [new LocalNode({ name: "a" }), new LocalNode({ name: "b" })];
  for (const node of [a, b]) {
    joinCluster(node, { url: server.url, prefix, leaseMs: 300 });
    nodes.push(node);
  }
  return [a, b];
}

const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 5 });

describe("tags across a cluster of roots", () => {
  it("shows a tag observer under one root the objects exposed under another, until nobody names them", async () => {
    const [a, b] = roots();
    const tagObserver = a.tag("t").observe<number>();
    const expose = b.object(["t"], "x").expose<number>();
    expose.set(7);
    await waitFor(() => expect([...tagObserver.objects.values()].map((object) => object.state?.data)).toEqual([7]));
    expect(expose.assigned).toBe(true);
    // The listing lasts one lease: wait until it was renewed past the first one's end, and the object is still there.
    const redis = new Redis(server.port, "127.0.0.1");
    try {
      const listing = `g${clusters}:tag:${tagObserver.descriptor.key}`;
      const first = Number(await redis.zscore(listing, expose.descriptor.key));
      await waitFor(async () => expect(Number(await redis.zscore(listing, expose.descriptor.key))).toBeGreaterThan(first + 300));
    } finally {
      redis.disconnect();
    }
    expose.set(8);
    await waitFor(() => expect([...tagObserver.objects.values()].map((object) => object.state?.data)).toEqual([8]));
    expose.terminate();
    await waitFor(() => expect(tagObserver.objects.size).toBe(0));
  });

  it("elects a tag exposer under one root for an object observed by descriptor under another", async () => {
    const [a, b] = roots();
    const tagExpose = b.tag("t").expose<string>();
    const observe = a.object(["t"], "y").observe<string>();
    await waitFor(() => expect(tagExpose.assigned.map((descriptor) => descriptor.key)).toEqual([observe.descriptor.key]));
    tagExpose.set(observe.descriptor, "by tag");
    await waitFor(() => expect(observe.state).toMatchObject({ data: "by tag", synchronized: true }));
  });
});
