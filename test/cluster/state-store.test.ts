import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { ClusterKeys } from "../../lib/cluster/cluster-keys.js";
import { LeaseStore } from "../../lib/cluster/lease-store.js";
import { MemberRegistry } from "../../lib/cluster/member-registry.js";
import { decodeFrame, type StateFrame, StateStore } from "../../lib/cluster/state-store.js";
import { sharedRedisServer } from "./shared-redis-server.js";

const server = sharedRedisServer();

const frame = (epoch: number, seq: number, text: string): StateFrame => ({ epoch, seq, wire: new TextEncoder().encode(text) });
const text = (received: StateFrame | undefined) => (received === undefined ? undefined : `${received.epoch}/${received.seq}:${new TextDecoder().decode(received.wire)}`);

describe("StateStore against a real Redis", () => {
  it("publishes the message and stores the full state only for the lease in force held by a live member: a former holder's reach nobody", async () => {
    const keys = new ClusterKeys("s:");
    const client = new Redis(server().port, "127.0.0.1");
    const subscriber = new Redis(server().port, "127.0.0.1");
    try {
      const leases = new LeaseStore(client, keys, 10_000);
      const states = new StateStore(client, keys);
      const members = new MemberRegistry(client, keys, 10_000, 10_000);
      await members.heartbeat("a", true);
      await members.heartbeat("b", true);
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

      // A holder paused past its heartbeat, its lease not taken over (nor even forgotten) yet: refused too.
      const brief = new MemberRegistry(client, keys, 100, 10_000);
      await leases.release("x", current);
      await brief.heartbeat("c", true);
      const paused = (await leases.acquire("x", "c", 0))!;
      expect(await states.publish("x", paused, frame(paused.epoch, 1, "live"), frame(paused.epoch, 1, "live"))).toBe(true);
      const serverNow = async () => {
        const [seconds, micros] = await client.time();
        return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      };
      await expect.poll(async () => Number(await client.zscore(keys.members, "c")) <= (await serverNow()), { interval: 10 }).toBe(true);
      expect(await states.publish("x", paused, frame(paused.epoch, 2, "late"), frame(paused.epoch, 2, "late"))).toBe(false);
      expect(await leases.holding("x")).toEqual(paused);
      expect(text(await states.latest("x"))).toBe(`${paused.epoch}/1:live`);
    } finally {
      client.disconnect();
      subscriber.disconnect();
    }
  });
});
