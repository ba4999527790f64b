import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ClusterKeys } from "../../lib/cluster/cluster-keys.js";
import { type LeaseHolding, LeaseStore, STATE_KEPT_LEASES } from "../../lib/cluster/lease-store.js";
import { InterestBoard } from "../../lib/cluster/interest-board.js";
import { RedisServer } from "./redis-server.js";

let server: RedisServer;
const clients: Redis[] = [];
let prefixes = 0;

beforeAll(async () => {
  server = await RedisServer.start();
});

afterAll(async () => {
  await server.stop();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  if (!server.running) await server.restart();
});

function store(ttlMs = 10_000, prefix = `t${++prefixes}:`): LeaseStore {
  const client = new Redis(server.port, "127.0.0.1", { maxRetriesPerRequest: null, retryStrategy: () => 20 });
  clients.push(client);
  return new LeaseStore(client, new ClusterKeys(prefix), ttlMs);
}

/** The holding in force after `holder` tried to acquire the lease (never left to another candidate here). */
async function acquire(leases: LeaseStore, objectKey: string, holder: string, floor: number): Promise<LeaseHolding> {
  const holding = await leases.acquire(objectKey, holder, floor);
  if (holding === undefined) throw new Error(`${objectKey}'s lease was left to another candidate`);
  return holding;
}

/** Resolves once `check` holds, polling Redis (the lease's expiry is Redis' clock, not the test's). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise<void>((resolve) => setTimeout(resolve, 10));
}

describe("LeaseStore against a real Redis", () => {
  it("gives the lease to the first member and tells the others who holds it", async () => {
    const leases = store();
    const a = await acquire(leases, "x", "a", 0);
    expect(a.holder).toBe("a");
    expect(await acquire(leases, "x", "b", 0)).toEqual(a);
    expect(await leases.holding("x")).toEqual(a);
    expect(await leases.holding("y")).toBeUndefined();
  });

  it("renews and releases only the holding in force; each new lease takes a higher epoch", async () => {
    const leases = store();
    const a = await acquire(leases, "x", "a", 0);
    expect(await leases.renew("x", { holder: "b", epoch: a.epoch })).toBe(false);
    expect(await leases.release("x", { holder: "b", epoch: a.epoch })).toBe(false);
    expect(await leases.renew("x", a)).toBe(true);
    expect(await leases.release("x", a)).toBe(true);
    expect(await leases.holding("x")).toBeUndefined();
    const b = await acquire(leases, "x", "b", 0);
    expect(b).toEqual({ holder: "b", epoch: a.epoch + 1 });
  });

  it("lets a lease whose holder stopped renewing expire; the stale holder's renewal and release are refused", async () => {
    const leases = store(150);
    const stale = await acquire(leases, "x", "a", 0);
    await until(async () => (await leases.holding("x")) === undefined); // "a" is paused: no renewal
    const fresh = await acquire(leases, "x", "b", 0);
    expect(fresh.epoch).toBeGreaterThan(stale.epoch);
    expect(await leases.renew("x", stale)).toBe(false);
    expect(await leases.release("x", stale)).toBe(false);
    expect(await leases.holding("x")).toEqual(fresh);
  });

  it("refuses the same member's former holding once it acquired the object anew", async () => {
    const leases = store(150);
    const first = await acquire(leases, "x", "a", 0);
    await until(async () => (await leases.holding("x")) === undefined);
    const second = await acquire(leases, "x", "a", 0);
    expect(await leases.renew("x", first)).toBe(false);
    expect(await leases.renew("x", second)).toBe(true);
  });

  it("never hands out an epoch at or below the floor, nor one counted before a Redis restart emptied it", async () => {
    const leases = store(150);
    const floor = 2 * Date.now(); // above where a counter starts (the server's time in milliseconds)
    expect((await acquire(leases, "x", "a", floor)).epoch).toBe(floor + 1);
    const before = await acquire(leases, "y", "a", 0);
    await server.kill();
    await server.restart(); // nothing persisted: the counters are gone
    await until(async () => (await leases.holding("x").catch(() => "down")) === undefined);
    expect((await acquire(leases, "y", "b", 0)).epoch).toBeGreaterThan(before.epoch); // though nobody raised it
    await leases.raiseEpoch("x", floor + 1);
    await leases.raiseEpoch("x", 3); // never lowers it
    expect((await acquire(leases, "x", "b", 0)).epoch).toBe(floor + 2);
  });

  it("leaves a free lease to the best placed candidate by load per capacity, and tells an overloaded holder to hand over", async () => {
    const prefix = `t${++prefixes}:`;
    const client = new Redis(server.port, "127.0.0.1");
    clients.push(client);
    const keys = new ClusterKeys(prefix);
    const leases = new LeaseStore(client, keys, 10_000);
    const board = new InterestBoard(client, keys, 10_000);
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
  });

  it("extends the object's stored state with each renewal by the holder in force, so a state that does not change stays", async () => {
    const prefix = `t${++prefixes}:`;
    const client = new Redis(server.port, "127.0.0.1");
    clients.push(client);
    const keys = new ClusterKeys(prefix);
    const leases = new LeaseStore(client, keys, 10_000);
    const holding = await acquire(leases, "x", "a", 0);
    await client.set(keys.state("x"), "stored", "PX", 1000);
    expect(await leases.renew("x", { holder: "b", epoch: holding.epoch })).toBe(false);
    expect(await client.pttl(keys.state("x"))).toBeLessThanOrEqual(1000);
    expect(await leases.renew("x", holding)).toBe(true);
    expect(await client.pttl(keys.state("x"))).toBeGreaterThan(10_000 * (STATE_KEPT_LEASES - 1));
  });
});
