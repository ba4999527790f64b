import { Redis } from "ioredis";
import { describe, expect, it, vi } from "vitest";
import { encodeFull } from "../../lib/sync/wire/state-codec.js";
import { encodeFrame } from "../../lib/cluster/state-store.js";
import { type ClusterMembership, joinCluster } from "../../lib/cluster/cluster-member.js";
import type { LocalNode } from "../../lib/local-node/local-node.js";
import { cleanupAfterEach } from "../test-cleanup.js";
import { sharedRedisServer } from "./shared-redis-server.js";

const server = sharedRedisServer();
const cleanup = cleanupAfterEach();
let clusters = 0;

const memberships = new Map<LocalNode, ClusterMembership>();

/** `count` root nodes joined to one cluster (a fresh one unless `cluster` names one: a prefix of its own in the shared Redis). */
function roots(count: number, leaseMs = 3000, cluster = ++clusters): LocalNode[] {
  const prefix = `c${cluster}:`;
  const made: LocalNode[] = [];
  for (let i = 0; i < count; i++) {
    const node = cleanup.node(`root${i}`);
    memberships.set(node, joinCluster(node, { url: server().url, prefix, leaseMs }));
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
    const redis = new Redis(server().port, "127.0.0.1");
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

  it("keeps the states a former holder makes after it was found gone behind its back from everyone", async () => {
    const [a] = roots(1, 60_000); // its heartbeat runs only every 20 s: it will not notice by itself during the test
    const exposeA = a!.object(["t"], "x").expose<string>();
    exposeA.set("a");
    const [b] = roots(1, 300, clusters);
    const observe = b!.object(["t"], "x").observe<string>();
    await waitFor(() => expect(observe.state).toMatchObject({ data: "a", synchronized: true }));
    const exposeB = b!.object(["t"], "x").expose<string>();
    exposeB.set("b");
    const redis = new Redis(server().port, "127.0.0.1");
    try {
      // As if a's heartbeat lapsed while it was paused: b's next heartbeat finds it gone and its lease ends.
      await redis.zadd(`c${clusters}:members`, 0, memberships.get(a!)!.id);
    } finally {
      redis.disconnect();
    }
    await waitFor(() => expect(observe.state).toMatchObject({ data: "b", synchronized: true }));
    const seen: Array<string | undefined> = [];
    observe.onChange((state) => seen.push(state?.data));
    // a hears it is gone on the members' channel, or its publication is refused at Redis (the store
    // script's fences: the lease is b's, a is no live member); either way the stale state reaches nobody.
    exposeA.set("stale");
    await waitFor(() => expect(exposeA.assigned).toBe(false));
    exposeB.set("b again");
    await waitFor(() => expect(observe.data).toBe("b again"));
    expect(seen).not.toContain("stale");
  });

  it("costs Redis a few commands per heartbeat while nothing changes, however many objects a root holds", async () => {
    const [a] = roots(1, 300);
    const objects = Array.from({ length: 200 }, (_, i) => {
      const object = a!.object(["idle"], i);
      object.observe();
      const expose = object.expose<number>();
      expose.set(i);
      return expose;
    });
    const redis = new Redis(server().port, "127.0.0.1");
    try {
      await waitFor(async () => expect(await redis.eval(`return #redis.call('KEYS', ARGV[1])`, 0, `c${clusters}:state:*`)).toBe(objects.length));
      const heartbeat = async () => Number(await redis.zscore(`c${clusters}:members`, memberships.get(a!)!.id));
      const commands = async () => Number(/^total_commands_processed:(\d+)/m.exec(await redis.info("stats"))![1]);
      const since = await heartbeat();
      const before = await commands();
      // Three heartbeats (one every 100 ms), polled every 50 ms: a root renewing each object would take hundreds.
      await vi.waitFor(async () => expect(await heartbeat()).toBeGreaterThanOrEqual(since + 300), { timeout: 10_000, interval: 50 });
      expect((await commands()) - before).toBeLessThan(60);
      expect(objects.every((expose) => expose.assigned)).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  it("keeps a follower synchronized when the new holder's state came before it saw the new lease", async () => {
    const [a, b] = roots(2, 60_000); // heartbeats every 20 s: none runs during the test
    const expose = a!.object(["t"], "x").expose<string>();
    expose.set("first");
    const observe = b!.object(["t"], "x").observe<string>();
    await waitFor(() => expect(observe.state).toMatchObject({ data: "first", synchronized: true }));
    const epoch = observe.state!.epoch! + 1;
    const key = observe.descriptor.key;
    const redis = new Redis(server().port, "127.0.0.1");
    try {
      // A lease of member "next", not live yet, and its first state, which b takes before it looks the lease up.
      await redis.set(`c${clusters}:lease:${key}`, `${epoch} next`);
      const state = encodeFull({ version: [Number.MAX_SAFE_INTEGER], format: ["JSON"], data: "next", synchronized: true, epoch });
      await redis.publish(`c${clusters}:states:${key}`, encodeFrame({ epoch, seq: 1, wire: state }));
      await waitFor(() => expect(observe.state).toMatchObject({ data: "next", synchronized: false })); // b saw no live holder
      await redis.zadd(`c${clusters}:members`, Date.now() + 60_000, "next");
      await redis.publish(`c${clusters}:interest`, key);
      await waitFor(() => expect(observe.state).toMatchObject({ data: "next", synchronized: true }));
    } finally {
      redis.disconnect();
    }
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
    const redis = new Redis(server().port, "127.0.0.1");
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
