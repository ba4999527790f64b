import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterKeys } from "../../lib/cluster/cluster-keys.js";
import { LeaseStore } from "../../lib/cluster/lease-store.js";
import { decodeClusterState, StateStore } from "../../lib/cluster/state-store.js";
import { RedisServer } from "./redis-server.js";

let server: RedisServer;

beforeAll(async () => {
  server = await RedisServer.start();
});

afterAll(async () => {
  await server.stop();
});

describe("StateStore against a real Redis", () => {
  it("stores and publishes only for the lease in force: a former holder's state reaches nobody", async () => {
    const keys = new ClusterKeys("s:");
    const client = new Redis(server.port, "127.0.0.1");
    const subscriber = new Redis(server.port, "127.0.0.1");
    try {
      const leases = new LeaseStore(client, keys, 10_000);
      const states = new StateStore(client, keys, 10_000);
      const received: unknown[] = [];
      subscriber.on("messageBuffer", (_channel: Buffer, message: Buffer) => received.push(decodeClusterState(message, "x")?.data));
      await subscriber.subscribe(keys.stateChannel("x"));
      const former = await leases.acquire("x", "a", 0);
      expect(await states.publish("x", former, { version: [1], format: ["JSON"], data: "old", synchronized: true, epoch: former.epoch })).toBe(true);
      await leases.release("x", former);
      const current = await leases.acquire("x", "b", 0);
      expect(await states.publish("x", former, { version: [9], format: ["JSON"], data: "stale", synchronized: true, epoch: former.epoch })).toBe(false);
      expect((await states.latest("x"))?.data).toBe("old");
      const fresh = { version: [2], format: ["JSON"], data: { n: 2 }, synchronized: false, epoch: current.epoch };
      expect(await states.publish("x", current, fresh)).toBe(true);
      expect(await states.latest("x")).toEqual(fresh);
      await expect.poll(() => received.length).toBe(2);
      expect(received).toEqual(["old", { n: 2 }]);
      expect(await states.latest("y")).toBeUndefined();
    } finally {
      client.disconnect();
      subscriber.disconnect();
    }
  });
});
