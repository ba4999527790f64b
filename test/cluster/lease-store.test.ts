import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { ClusterKeys } from "../../lib/cluster/cluster-keys.js";
import { InterestBoard } from "../../lib/cluster/interest-board.js";
import { type LeaseHolding, LeaseStore } from "../../lib/cluster/lease-store.js";
import { MemberRegistry } from "../../lib/cluster/member-registry.js";
import { sharedRedisServer } from "./shared-redis-server.js";

const server = sharedRedisServer();
const clients: Redis[] = [];
let prefixes = 0;

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  if (!server().running) await server().restart();
});

/** A cluster of its own in the shared Redis: its leases, members (heartbeats lasting `ttlMs`) and interest. */
interface Cluster {
  readonly client: Redis;
  readonly keys: ClusterKeys;
  readonly leases: LeaseStore;
  readonly members: MemberRegistry;
  readonly board: InterestBoard;
  /** Enters each of `ids` as a live member. */
  join(...ids: string[]): Promise<void>;
}

const KEEP_MS = 60_000;

function cluster(ttlMs = 10_000): Cluster {
  const client = new Redis(server().port, "127.0.0.1", { maxRetriesPerRequest: null, retryStrategy: () => 20 });
  clients.push(client);
  const keys = new ClusterKeys(`t${++prefixes}:`);
  const members = new MemberRegistry(client, keys, ttlMs, KEEP_MS);
  return {
    client,
    keys,
    leases: new LeaseStore(client, keys, KEEP_MS),
    members,
    board: new InterestBoard(client, keys),
    join: async (...ids) => {
      for (const id of ids) expect(await members.heartbeat(id, true)).toBe(true);
    },
  };
}

/** The holding in force after `holder` tried to acquire the lease (never left to another candidate here). */
async function acquire(leases: LeaseStore, objectKey: string, holder: string, floor: number): Promise<LeaseHolding> {
  const holding = await leases.acquire(objectKey, holder, floor);
  if (holding === undefined) throw new Error(`${objectKey}'s lease was left to another candidate`);
  return holding;
}

/** Resolves once `check` holds, polling Redis (heartbeats expire on Redis' clock, not the test's). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise<void>((resolve) => setTimeout(resolve, 10));
}

describe("LeaseStore against a real Redis", () => {
  it("gives the lease to the first member and tells the others who holds it", async () => {
    const { leases, join } = cluster();
    await join("a", "b");
    const a = await acquire(leases, "x", "a", 0);
    expect(a.holder).toBe("a");
    expect(await acquire(leases, "x", "b", 0)).toEqual(a);
    expect(await leases.holding("x")).toEqual(a);
    expect(await leases.holding("y")).toBeUndefined();
  });

  it("releases only the holding in force, keeping the stored state a while; each new lease takes a higher epoch", async () => {
    const { client, keys, leases, join } = cluster();
    await join("a", "b");
    const a = await acquire(leases, "x", "a", 0);
    await client.set(keys.state("x"), "stored");
    expect(await leases.release("x", { holder: "b", epoch: a.epoch })).toBe(false);
    expect(await client.pttl(keys.state("x"))).toBe(-1); // no expiry while the lease is in force
    expect(await leases.release("x", a)).toBe(true);
    expect(await leases.holding("x")).toBeUndefined();
    expect(await client.pttl(keys.state("x"))).toBeGreaterThan(KEEP_MS / 2);
    const b = await acquire(leases, "x", "b", 0);
    expect(b).toEqual({ holder: "b", epoch: a.epoch + 1 });
  });

  it("ends the leases of a member whose heartbeat lapsed: another takes them with a higher epoch, and it never holds one again under that id", async () => {
    const { client, keys, leases, members, join } = cluster(150);
    await join("a", "b");
    const stale = await acquire(leases, "x", "a", 0);
    await client.set(keys.state("x"), "stored");
    const gone: string[] = [];
    const subscriber = new Redis(server().port, "127.0.0.1");
    clients.push(subscriber);
    subscriber.on("message", (_channel: string, message: string) => gone.push(message));
    await subscriber.subscribe(keys.memberChannel);
    expect(await acquire(leases, "x", "b", 0)).toEqual(stale); // "a" is live: its lease holds without renewal
    // "a" is paused: no heartbeat; "b"'s heartbeats go on and forget "a" once its heartbeat lapsed
    await until(async () => (await members.heartbeat("b")) && (await leases.holding("x")) === undefined);
    await until(async () => gone.includes("a"));
    expect(await client.pttl(keys.state("x"))).toBeGreaterThan(0); // kept a while for the next holder
    const fresh = await acquire(leases, "x", "b", 0);
    expect(fresh.epoch).toBeGreaterThan(stale.epoch);
    expect(await leases.release("x", stale)).toBe(false);
    expect(await members.heartbeat("a")).toBe(false); // resumed: it is told it is gone
    expect(await leases.acquire("y", "a", 0)).toBeUndefined();
    expect(await leases.holding("x")).toEqual(fresh);
  });

  it("counts a lease whose holder is gone but not yet forgotten as free", async () => {
    const { client, keys, leases, join } = cluster(10_000);
    await join("b");
    const brief = new MemberRegistry(client, keys, 150, KEEP_MS); // "a"'s heartbeat lasts 150 ms
    expect(await brief.heartbeat("a", true)).toBe(true);
    const stale = await acquire(leases, "x", "a", 0);
    // nobody's heartbeat runs meanwhile: "a" stays listed, only its expiry tells it is gone
    await until(async () => {
      const holding = await leases.acquire("x", "b", 0);
      return holding?.holder === "b" && holding.epoch > stale.epoch;
    });
    expect(await brief.heartbeat("a")).toBe(false);
  });

  it("never hands out an epoch at or below the floor, nor one counted before a Redis restart emptied it", async () => {
    const { leases, join } = cluster();
    await join("a", "b");
    const floor = 2 * Date.now(); // above where a counter starts (the server's time in milliseconds)
    expect((await acquire(leases, "x", "a", floor)).epoch).toBe(floor + 1);
    const before = await acquire(leases, "y", "a", 0);
    await server().kill();
    await server().restart(); // nothing persisted: the counters (and members) are gone
    await until(async () => (await leases.holding("x").catch(() => "down")) === undefined);
    await join("b");
    expect((await acquire(leases, "y", "b", 0)).epoch).toBeGreaterThan(before.epoch); // though nobody raised it
    await leases.raiseEpoch("x", floor + 1);
    await leases.raiseEpoch("x", 3); // never lowers it
    expect((await acquire(leases, "x", "b", 0)).epoch).toBe(floor + 2);
  });

  it("leaves a free lease to the best placed live candidate by load per capacity, and tells an overloaded holder to hand over", async () => {
    const { leases, board, join } = cluster();
    await join("a", "b");
    const objects = ["o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8"];
    for (const object of objects) {
      await board.report(object, "a", false, 1);
      await board.report(object, "b", false, 3);
    }
    const holders: string[] = [];
    for (const object of objects) {
      const [byA, byB] = [await leases.acquire(object, "a", 0), await leases.acquire(object, "b", 0)];
      holders.push((byA ?? byB)!.holder);
    }
    expect(holders.filter((holder) => holder === "a")).toHaveLength(2); // 1:3
    expect(await leases.overloaded("o1", holders[0]!)).toBe(false);
    await leases.setLoad("b", 0); // as if b had just given everything up
    const heldByA = objects[holders.indexOf("a")]!;
    expect(await leases.overloaded(heldByA, "a")).toBe(true);
    await leases.setLoad("a", 0);
    expect(await leases.overloaded(heldByA, "a")).toBe(false);
    await board.report("o9", "a", false, 1);
    expect(await leases.acquire("o9", "b", 0)).toBeUndefined(); // b is not even a candidate for it
    await board.report("o10", "c", false, 100); // "c" never joined: it does not count
    expect((await leases.acquire("o10", "a", 0))?.holder).toBe("a");
  });
});
