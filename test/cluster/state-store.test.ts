import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterKeys } from "../../lib/cluster/cluster-keys.js";
import { LeaseStore } from "../../lib/cluster/lease-store.js";
import { decodeFrame, type StateFrame, StateStore } from "../../lib/cluster/state-store.js";
import { RedisServer } from "./redis-server.js";

let server: RedisServer;

beforeAll(async () => {
  server = await RedisServer.start();
});

afterAll(async () => {
  await server.stop();
});

const frame = (epoch: number, seq: number, text: string): StateFrame => ({ epoch, seq, wire: new TextEncoder().encode(text) });
const text = (received: StateFrame | undefined) => (received === undefined ? undefined : `${received.epoch}/${received.seq}:${new TextDecoder().decode(received.wire)}`);

describe("StateStore against a real Redis", () => {
  it("publishes the message and stores the full state only for the lease in force: a former holder's reach nobody", async () => {
    const keys = new ClusterKeys("s:");
    const client = new Redis(server.port, "127.0.0.1");
    const subscriber = new Redis(server.port, "127.0.0.1");
    try {
      const leases = new LeaseStore(client, keys, 10_000);
      const states = new StateStore(client, keys, 10_000);
      const received: Array<string | undefined> = [];
      subscriber.on("messageBuffer", (_channel: Buffer, message: Buffer) => received.push(text(decodeFrame(message))));
      await subscriber.subscribe(keys.stateChannel("x"));
      const former = (await leases.acquire("x", "a", 0))!;
      expect(await states.publish("x", former, frame(former.epoch, 1, "diff"), frame(former.epoch, 1, "full"))).toBe(true);
      expect(text(await states.latest("x"))).toBe(`${former.epoch}/1:full`);
      await leases.release("x", former);
      const current = (await leases.acquire("x", "b", 0))!;
      expect(await states.publish("x", former, frame(former.epoch, 2, "stale"), frame(former.epoch, 2, "stale"))).toBe(false);
      expect(text(await states.latest("x"))).toBe(`${former.epoch}/1:full`);
      expect(await states.publish("x", current, frame(current.epoch, 1, "new"), frame(current.epoch, 1, "new full"))).toBe(true);
      expect(text(await states.latest("x"))).toBe(`${current.epoch}/1:new full`);
      await expect.poll(() => received.length).toBe(2);
      expect(received).toEqual([`${former.epoch}/1:diff`, `${current.epoch}/1:new`]);
      expect(await states.latest("y")).toBeUndefined();
    } finally {
      client.disconnect();
      subscriber.disconnect();
    }
  });
});
