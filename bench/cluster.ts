/**
 * Issue "scale-out through Redis" figures, with a real `redis-server` (Debian's package) on a loopback
 * port and router processes (bench/support/router-process.ts) joined to it as a cluster of roots.
 *
 * - Idle cost: a root node in this process that exposes and observes 10,000 objects (so it holds all
 *   their leases), none changing: Redis commands per second over 6 s once every lease is taken, against
 *   the same root holding 10 objects in the same run; ratio 1 when the cost does not grow with objects.
 * - Cross-root fan-out: one exposer of a 1 KB object (one field changed per update) linked to root A,
 *   100 observers (worker processes) linked to root B: delivered/s at saturation, summed over observers,
 *   against the same exposer and observers through one root router (no cluster) in the same run,
 *   alternating rounds; ratio cluster ÷ one root.
 * - Redis per update: commands the Redis server processed and bytes it received and sent per update
 *   while the exposer publishes 200 updates/s across the two roots; baseline: the bytes one observer's
 *   link received per update through root B (the hakuban wire), so the ratio says how much more Redis
 *   carries per update than one link does.
 * - Failover: three roots with a 1000 ms lease; an observer under root C, the exposer linked to roots A
 *   and B (`connect` with both). Twenty times, the root the exposer is linked to is killed (SIGKILL) and
 *   then started again on its port; the time from the kill until the observer holds a synchronized state
 *   of a new election, p50 and p99 (the heartbeat's expiry bounds it from below). Baseline: the lease time.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { LocalNode, connect, joinCluster, type JsonValue, type ObjectObserve, type Upstream } from "../lib/node-entry.js";
import { freePort, RedisServer } from "../test/cluster/redis-server.js";
import { startClientPool } from "./support/client-worker.js";
import { quantile } from "./support/latency.js";
import { alternate, deliveryRate, pairHigherIsBetter, type System } from "./support/paired-systems.js";
import { publishAtRate } from "./support/publish-loop.js";
import { hakubanPublisher, topicObject } from "./support/publisher.js";
import { startRouterProcess, type RouterProcess } from "./support/router-process.js";
import type { BenchResult, BenchScenario } from "./result.js";

const SIZES = new Map([[0, 1024]]);
const FAN_OUT = 100;
const ROUNDS = 3;
const WINDOW_MS = 700;
const WARM_UP_MS = 300;
const STEADY_RATE = 200;
const STEADY_MS = 2000;
const KILLS = 20;
const FAILOVER_LEASE_MS = 1000;
const IDLE_FEW = 10;
const IDLE_MANY = 10_000;
const IDLE_LEASE_MS = 3000;
const IDLE_WINDOW_MS = 6000;

/** A publisher and its observers, with what stops them. */
interface Setup {
  readonly system: System;
  stop(): Promise<void>;
}

/** The exposer linked to `exposerUrl` and FAN_OUT observers linked to `observersUrl`. */
async function setUp(exposerUrl: string, observersUrl: string): Promise<Setup> {
  const publisher = await hakubanPublisher(exposerUrl, SIZES);
  try {
    const pool = await startClientPool("hakuban", observersUrl, Array.from({ length: FAN_OUT }, () => [0]), SIZES);
    return {
      system: { kind: "hakuban", publisher, pool },
      stop: async () => {
        await pool.stop();
        await publisher.close();
      },
    };
  } catch (error) {
    await publisher.close();
    throw error;
  }
}

/** The Redis server's counters: commands processed, bytes received and sent. */
async function redisCounters(redis: Redis): Promise<{ commands: number; bytes: number }> {
  const info = await redis.info("stats");
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)?.[1] ?? NaN);
  return { commands: field("total_commands_processed"), bytes: field("total_net_input_bytes") + field("total_net_output_bytes") };
}

async function fanOutAndRedis(redis: RedisServer, progress: (message: string) => void): Promise<BenchResult[]> {
  const cluster = { url: redis.url };
  const routers: RouterProcess[] = [];
  const setups: Setup[] = [];
  try {
    const [a, b, single] = await Promise.all([startRouterProcess({ cluster }), startRouterProcess({ cluster }), startRouterProcess()]);
    routers.push(a, b, single);
    const across = await setUp(a.url, b.url);
    setups.push(across);
    const alone = await setUp(single.url, single.url);
    setups.push(alone);
    progress(`fan-out: 1 KB → ${FAN_OUT} across two roots against one root, ${ROUNDS} rounds`);
    for (const each of [across, alone]) await deliveryRate(each.system, [0], WARM_UP_MS);
    const rates = await alternate(across.system, alone.system, ROUNDS, (system) => deliveryRate(system, [0], WINDOW_MS));
    const fanOut = pairHigherIsBetter(rates.hakuban, rates.floor);

    progress(`Redis per update at ${STEADY_RATE} updates/s across two roots`);
    const client = new Redis(redis.port, "127.0.0.1");
    try {
      await across.system.pool.reset(false);
      const before = await redisCounters(client);
      const updates = await publishAtRate(across.system.publisher, [0], STEADY_RATE, STEADY_MS);
      await across.system.pool.settle();
      const after = await redisCounters(client);
      const { count, bytes } = await across.system.pool.report();
      const linkBytes = bytes / count;
      const redisBytes = (after.bytes - before.bytes) / updates;
      return [
        {
          name: `cluster/fan-out 1 KB → ${FAN_OUT}, exposer and observers under two roots`,
          value: fanOut.hakuban,
          unit: "delivered/s",
          baseline: { name: "through one root", value: fanOut.floor },
          ratio: fanOut.ratio,
          notes: `median of ${ROUNDS} alternating rounds of ${WINDOW_MS} ms; ratio: median of per-round ratios`,
        },
        {
          name: "cluster/Redis commands per update",
          value: (after.commands - before.commands) / updates,
          unit: "commands",
          notes: `${updates} updates at ${STEADY_RATE}/s; counted by the Redis server (INFO), the commands scripts run and heartbeats included`,
        },
        {
          name: "cluster/Redis bytes per update (in + out)",
          value: redisBytes,
          unit: "B",
          baseline: { name: "one observer link's bytes per update", value: linkBytes },
          ratio: linkBytes / redisBytes,
          notes: "the diff published once, the full state stored beside it, and the message to the one subscribing root",
        },
      ];
    } finally {
      client.disconnect();
    }
  } finally {
    for (const each of setups) await each.stop();
    for (const each of routers) await each.stop();
  }
}

/** Resolves once `observer` holds a synchronized state of an election after `epoch`. */
function newElection(observer: ObjectObserve<JsonValue>, epoch: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      const state = observer.state;
      if (state?.synchronized !== true || (state.epoch ?? 0) <= epoch) return;
      stop();
      resolve();
    };
    const stop = observer.onChange(check);
    check();
  });
}

async function failover(redis: RedisServer, progress: (message: string) => void): Promise<BenchResult[]> {
  const cluster = { url: redis.url, leaseMs: FAILOVER_LEASE_MS };
  const ports = [await freePort(), await freePort()];
  const roots = await Promise.all(ports.map((port) => startRouterProcess({ cluster, port })));
  const stable = await startRouterProcess({ cluster });
  const exposerNode = new LocalNode({ name: "bench-exposer" });
  const observerNode = new LocalNode({ name: "bench-observer" });
  try {
    const upstream: Upstream = connect(exposerNode, roots.map((root) => root.url), { initialDelayMs: 5, maxDelayMs: 50 });
    topicObject(exposerNode, 0).expose().set({ n: 1 });
    connect(observerNode, stable.url);
    const observer = topicObject(observerNode, 0).observe();
    await newElection(observer, 0);
    const times: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      progress(`failover: kill ${kill + 1} of ${KILLS}`);
      const index = roots.findIndex((root) => root.url === upstream.url);
      const epoch = observer.state?.epoch ?? 0;
      const killedAt = performance.now();
      await roots[index]!.kill();
      await newElection(observer, epoch);
      times.push(performance.now() - killedAt);
      roots[index] = await startRouterProcess({ cluster, port: ports[index]! });
    }
    const notes = `${KILLS} kills (SIGKILL) of the root the exposer is linked to; lease ${FAILOVER_LEASE_MS} ms; the observer is under a third root`;
    return ([["p50", 0.5], ["p99", 0.99]] as const).map(([label, q]) => {
      const value = quantile(times, q);
      return { name: `cluster/failover ${label} (root killed → observers synchronized)`, value, unit: "ms", baseline: { name: "lease", value: FAILOVER_LEASE_MS }, ratio: FAILOVER_LEASE_MS / value, notes };
    });
  } finally {
    await observerNode.close();
    await exposerNode.close();
    for (const each of [...roots, stable]) await each.stop();
  }
}

/** The commands `redis` processes per second while nothing changes, over `ms` (the INFO calls taken out). */
async function idleCommandRate(redis: Redis, ms: number): Promise<number> {
  const before = await redisCounters(redis);
  await sleep(ms);
  const after = await redisCounters(redis);
  return ((after.commands - before.commands - 1) * 1000) / ms;
}

/**
 * A root in a cluster of its own that exposes and observes `count` objects (so it holds all their
 * leases), none of them changing: Redis commands per second once every lease is taken.
 */
async function idleRoot(redis: RedisServer, count: number): Promise<number> {
  const node = new LocalNode({ name: `idle-${count}` });
  const client = new Redis(redis.port, "127.0.0.1");
  const prefix = `idle-${count}:`;
  try {
    joinCluster(node, { url: redis.url, prefix, leaseMs: IDLE_LEASE_MS });
    const exposers = Array.from({ length: count }, (_, i) => {
      const object = node.object(["idle"], i);
      object.observe();
      const exposer = object.expose();
      exposer.set({ n: i });
      return exposer;
    });
    while (exposers.some((exposer) => !exposer.assigned) || (await client.dbsize()) === 0) await sleep(50);
    while ((await client.eval(`return #redis.call('KEYS', ARGV[1])`, 0, `${prefix}state:*`)) !== count) await sleep(50);
    await sleep(IDLE_LEASE_MS); // the joining traffic is over
    return await idleCommandRate(client, IDLE_WINDOW_MS);
  } finally {
    client.disconnect();
    await node.close();
  }
}

async function idleObjects(redis: RedisServer, progress: (message: string) => void): Promise<BenchResult[]> {
  progress(`Redis commands/s of a root holding ${IDLE_FEW} idle objects, then ${IDLE_MANY}`);
  const few = await idleRoot(redis, IDLE_FEW);
  const many = await idleRoot(redis, IDLE_MANY);
  return [
    {
      name: `cluster/Redis commands per second, a root holding ${IDLE_MANY} idle observed objects`,
      value: many,
      unit: "commands/s",
      baseline: { name: `the same root holding ${IDLE_FEW}`, value: few },
      ratio: few / Math.max(many, 1e-9),
      notes: `lease ${IDLE_LEASE_MS} ms; counted by the Redis server (INFO) over ${IDLE_WINDOW_MS} ms once every lease is taken; ratio 1: the cost does not grow with idle objects`,
    },
  ];
}

const scenario: BenchScenario = {
  name: "cluster of roots through Redis: idle cost, cross-root fan-out, Redis per update, failover",
  async run(progress) {
    const redis = await RedisServer.start();
    try {
      return [...(await idleObjects(redis, progress)), ...(await fanOutAndRedis(redis, progress)), ...(await failover(redis, progress))];
    } finally {
      await redis.stop();
    }
  },
};
export default scenario;
