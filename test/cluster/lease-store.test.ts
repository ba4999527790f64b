import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ClusterKeys } from "../../lib/cluster/cluster-keys.js";
import { LeaseStore } from "../../lib/cluster/lease-store.js";
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

/** Resolves once `check` holds, polling Redis (the lease's expiry is Redis' clock, not the test's). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise<void>((resolve) => setTimeout(resolve, 10));
}

describe("LeaseStore against a real Redis", () => {
  it("gives the lease to the first member and tells the others who holds it", async () => {
    const leases = store();
    const a = await leases.acquire("x", "a", 0);
    expect(a).toEqual({ holder: "a", epoch: 1 });
    expect(await leases.acquire("x", "b", 0)).toEqual(a);
    expect(await leases.holding("x")).toEqual(a);
    expect(await leases.holding("y")).toBeUndefined();
  });

  it("renews and releases only the holding in force; each new lease takes a higher epoch", async () => {
    const leases = store();
    const a = await leases.acquire("x", "a", 0);
    expect(await leases.renew("x", { holder: "b", epoch: a.epoch })).toBe(false);
    expect(await leases.release("x", { holder: "b", epoch: a.epoch })).toBe(false);
    expect(await leases.renew("x", a)).toBe(true);
    expect(await leases.release("x", a)).toBe(true);
    expect(await leases.holding("x")).toBeUndefined();
    const b = await leases.acquire("x", "b", 0);
    expect(b).toEqual({ holder: "b", epoch: 2 });
    const again = await leases.acquire("y", "a", 0);
    expect(again.epoch).toBe(1); // epochs count per object
  });

  it("lets a lease whose holder stopped renewing expire; the stale holder's renewal and release are refused", async () => {
    const leases = store(150);
    const stale = await leases.acquire("x", "a", 0);
    await until(async () => (await leases.holding("x")) === undefined); // "a" is paused: no renewal
    const fresh = await leases.acquire("x", "b", 0);
    expect(fresh.epoch).toBeGreaterThan(stale.epoch);
    expect(await leases.renew("x", stale)).toBe(false);
    expect(await leases.release("x", stale)).toBe(false);
    expect(await leases.holding("x")).toEqual(fresh);
  });

  it("refuses the same member's former holding once it acquired the object anew", async () => {
    const leases = store(150);
    const first = await leases.acquire("x", "a", 0);
    await until(async () => (await leases.holding("x")) === undefined);
    const second = await leases.acquire("x", "a", 0);
    expect(await leases.renew("x", first)).toBe(false);
    expect(await leases.renew("x", second)).toBe(true);
  });

  it("never hands out an epoch at or below the floor, nor below one raised before a Redis restart emptied it", async () => {
    const leases = store(150);
    expect((await leases.acquire("x", "a", 7)).epoch).toBe(8);
    await server.kill();
    await server.restart(); // nothing persisted: the counter is gone
    await until(async () => (await leases.holding("x").catch(() => "down")) === undefined);
    await leases.raiseEpoch("x", 8);
    await leases.raiseEpoch("x", 3); // never lowers it
    expect((await leases.acquire("x", "b", 0)).epoch).toBe(9);
  });
});
