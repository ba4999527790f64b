import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { encodeFull } from "../../lib/sync/wire/state-codec.js";
import { encodeFrame } from "../../lib/cluster/state-store.js";
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

/** `count` root nodes joined to one cluster (a fresh one unless `cluster` names one: a prefix of its own in the shared Redis). */
function roots(count: number, leaseMs = 3000, cluster = ++clusters): LocalNode[] {
  const prefix = `c${cluster}:`;
  const made: LocalNode[] = [];
  for (let i = 0; i < count; i++) {
    const node = new LocalNode({ name: `root${i}` });
    joinCluster(node, { url: server.url, prefix, leaseMs });
    nodes.push(node);
    made.push(node);
  }
  return made;
}

const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 5 });

describe("a cluster of roots over a real Redis", () => {
  it("brings an object exposed under one root to an observer under another, update after update", async () => {
    const [a, b] = roots(2);
    const expose = a!.object(["t"], "x").expose<number>();
    expose.set(1);
    const observe = b!.object(["t"], "x").observe<number>();
    await waitFor(() => expect(observe.state).toMatchObject({ data: 1, synchronized: true }));
    for (let i = 2; i <= 5; i++) {
      expose.set(i);
      await waitFor(() => expect(observe.data).toBe(i));
    }
  });

  it("elects exactly one exposer cluster-wide when both roots have a candidate, and produces only while observed", async () => {
    const [a, b] = roots(2);
    const exposeA = a!.object(["t"], "x").expose<string>();
    const exposeB = b!.object(["t"], "x").expose<string>();
    exposeA.set("a");
    exposeB.set("b");
    const observe = b!.object(["t"], "x").observe<string>();
    await waitFor(() => expect(Number(exposeA.assigned) + Number(exposeB.assigned)).toBe(1));
    const winner = exposeA.assigned ? "a" : "b";
    await waitFor(() => expect(observe.state).toMatchObject({ data: winner, synchronized: true }));
    observe.terminate();
    await waitFor(() => expect([exposeA.assigned, exposeB.assigned]).toEqual([false, false]));
    const again = a!.object(["t"], "x").observe<string>();
    await waitFor(() => expect(Number(exposeA.assigned) + Number(exposeB.assigned)).toBe(1));
    await waitFor(() => expect(again.state?.synchronized).toBe(true));
  });

  it("gives a root that joins and observes later the latest state stored in Redis", async () => {
    const [a] = roots(1);
    const expose = a!.object(["t"], "x").expose<number>();
    const local = a!.object(["t"], "x").observe<number>();
    expose.set(41);
    expose.set(42);
    const redis = new Redis(server.port, "127.0.0.1");
    try {
      await waitFor(async () => expect(await redis.keys(`c${clusters}:state:*`)).toHaveLength(1));
    } finally {
      redis.disconnect();
    }
    expect(local.data).toBe(42);
    const [b] = roots(1, 3000, clusters);
    const late = b!.object(["t"], "x").observe<number>();
    await waitFor(() => expect(late.state).toMatchObject({ data: 42, synchronized: true }));
  });

  it("moves the object to the other root's candidate when its exposer goes, keeping the data meanwhile", async () => {
    const [a, b, c] = roots(3);
    const exposeA = a!.object(["t"], "x").expose<string>();
    exposeA.set("a");
    const observe = c!.object(["t"], "x").observe<string>();
    await waitFor(() => expect(observe.data).toBe("a"));
    const exposeB = b!.object(["t"], "x").expose<string>();
    exposeB.set("b");
    expect(exposeB.assigned).toBe(false);
    const seen: Array<string | undefined> = [];
    observe.onChange((state) => seen.push(state?.data));
    exposeA.terminate();
    await waitFor(() => expect(observe.state).toMatchObject({ data: "b", synchronized: true }));
    expect(seen).not.toContain(undefined);
  });

  it("refuses, at Redis, the states a former holder makes after its lease was taken over behind its back", async () => {
    const [a] = roots(1, 60_000); // renews only every 20 s: it will not notice by itself during the test
    const exposeA = a!.object(["t"], "x").expose<string>();
    exposeA.set("a");
    const [b] = roots(1, 300, clusters);
    const observe = b!.object(["t"], "x").observe<string>();
    await waitFor(() => expect(observe.state).toMatchObject({ data: "a", synchronized: true }));
    const exposeB = b!.object(["t"], "x").expose<string>();
    exposeB.set("b");
    const redis = new Redis(server.port, "127.0.0.1");
    try {
      await redis.del(`c${clusters}:lease:${observe.descriptor.key}`); // as if a's lease expired while it was paused
    } finally {
      redis.disconnect();
    }
    await waitFor(() => expect(observe.state).toMatchObject({ data: "b", synchronized: true }));
    const seen: Array<string | undefined> = [];
    observe.onChange((state) => seen.push(state?.data));
    expect(exposeA.assigned).toBe(true); // a still believes it holds the object
    exposeA.set("stale");
    await waitFor(() => expect(exposeA.assigned).toBe(false)); // its publication was refused: it looked again
    exposeB.set("b again");
    await waitFor(() => expect(observe.data).toBe("b again"));
    expect(seen).not.toContain("stale");
  });

  it("has followers refuse a state of an epoch older than the lease in force", async () => {
    const [a, b] = roots(2);
    const expose = a!.object(["t"], "x").expose<string>();
    expose.set("first");
    const observe = b!.object(["t"], "x").observe<string>();
    await waitFor(() => expect(observe.state).toMatchObject({ data: "first", synchronized: true }));
    const epoch = observe.state!.epoch!;
    const seen: Array<string | undefined> = [];
    observe.onChange((state) => seen.push(state?.data));
    const redis = new Redis(server.port, "127.0.0.1");
    try {
      const stale = encodeFull({ version: [Number.MAX_SAFE_INTEGER], format: ["JSON"], data: "stale", synchronized: true, epoch: epoch - 1 });
      await redis.publish(`c${clusters}:states:${observe.descriptor.key}`, encodeFrame({ epoch: epoch - 1, seq: 1, wire: stale }));
    } finally {
      redis.disconnect();
    }
    expose.set("second");
    await waitFor(() => expect(observe.data).toBe("second"));
    expect(seen).not.toContain("stale");
  });
});
