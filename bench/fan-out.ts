/**
 * Issue "fan-out through a router" figures. One exposer (in this process) publishes one object of
 * 1 KB or 64 KB of JSON, one field changed per update, through one router process to N = 1, 10 and
 * 100 observers spread over worker processes (bench/support/client-worker.ts, ≤ 25 per process).
 *
 * Baseline, measured in the same run: the floor (bench/support/ws-floor-server.ts), a minimal `ws`
 * server in its own process that forwards each one-operation JSON Patch from a raw publisher to raw
 * subscribers, who apply it to their copy as hakuban observers do. Hakuban and floor rounds alternate.
 *
 * Figures, for each size and N:
 * - delivered/s at saturation: the publisher goes flat out (hakuban: set, set, …; the floor: send
 *   while its socket is not backed up), and we sum over observers the distinct versions each received
 *   per second (hakuban skips intermediate versions on slow links by design; the floor delivers all).
 *   Ratio hakuban ÷ floor; goal at N = 100, 1 KB: ≥ 0.5× (DESIGN.md aims at 0.8×).
 * - p50 and p99 latency at a fixed 200 updates/s, from the publisher's stamp in the data to the
 *   observer's callback. Ratio floor ÷ hakuban; goal for p99 at N = 100, 1 KB: ≥ 0.5× (at most twice
 *   the floor's).
 * Each figure is the median of three alternating rounds (ratio: median of the per-round ratios),
 * after a warm-up. Set HAKUBAN_BENCH_ROUTER_CPU_PROF=<dir> to profile the router.
 *
 * Policy variant: delivered/s at saturation, 1 KB → 100, through a router whose listener holds a
 * 20-rule policy (the links match its last rule, which grants by tag and by pattern and denies by tag
 * and by pattern, so every decision is made, not skipped), against a router without a policy started
 * alike (its own publisher and observers, so neither side carries the other figures' history), in
 * alternating rounds; goal ≥ 0.95× (links decide per object session, never per state).
 *
 * Monitoring variant: the same measure through a router that publishes its monitor object (every
 * second, listing its 101 links and the objects) to an observer of its monitor tag, against a router
 * without monitoring; goal ≥ 0.95× (counting states costs an increment; the snapshot, a walk a second).
 */
import { LocalNode, connect } from "../lib/node-entry.js";
import { startRouterProcess, type RouterProcess, type RouterProcessOptions } from "./support/router-process.js";
import { startClientPool } from "./support/client-worker.js";
import { alternate, deliveryRate, latency, pairHigherIsBetter, pairLowerIsBetter, startPools, type System } from "./support/paired-systems.js";
import { floorPublisher, hakubanPublisher, type Publisher } from "./support/publisher.js";
import { startFloorServer } from "./support/ws-floor-server.js";
import type { BenchResult, BenchScenario } from "./result.js";

const SIZES = [
  { label: "1 KB", topic: 0, bytes: 1024 },
  { label: "64 KB", topic: 1, bytes: 64 * 1024 },
] as const;
const FAN_OUTS = [1, 10, 100] as const;
const ROUNDS = 3;
const WINDOW_MS = 700;
const WARM_UP_MS = 300;
const LATENCY_RATE = 200;
const VARIANT_FAN_OUT = 100;
/** Rounds of the policy and monitoring variants: more than the others, as their goals are within 5%. */
const VARIANT_ROUNDS = 7;
/** The monitoring variant's monitor tag. */
const MONITOR_TAG = "bench-monitor";

/** A 20-rule policy whose first 19 rules name principals the bench's links are not (they do not authenticate). */
const POLICY = {
  rules: [
    ...Array.from({ length: 19 }, (_, n) => ({
      name: `team ${n}`,
      principal: { team: `team-${n}` },
      observe: [{ tag: "public" }, { tag: { team: n } }],
      expose: [{ object: { owner: { $claim: "id" } } }],
    })),
    {
      name: "everyone else",
      observe: [{ tag: "public" }, { tag: "bench", object: { topic: 0 } }, { tag: "bench", object: { topic: 1 } }, { object: { kind: "announcement" } }],
      expose: [{ tag: "bench" }, { object: { kind: "doc" } }],
      deny: { observe: [{ tag: "quarantine" }, { object: { secret: true } }], expose: [{ object: { locked: true } }] },
    },
  ],
};

/** A variant of the router: what its process is started with, and whether something observes its monitor tag. */
interface RouterVariant {
  readonly options: RouterProcessOptions;
  readonly observeMonitor?: boolean;
}

/**
 * A router process started as `variant` says, one publisher and VARIANT_FAN_OUT observers of the 1 KB
 * object; with `observeMonitor`, a node in this process observing the router's monitor tag, which counts
 * the snapshots it receives (a variant whose monitor published nothing would measure nothing).
 */
async function startVariantSystem(
  variant: RouterVariant,
  sizes: ReadonlyMap<number, number>,
): Promise<{ system: System; router: RouterProcess; snapshots(): number; stop(): Promise<void> }> {
  const router = await startRouterProcess(variant.options);
  const stops: Array<() => Promise<void>> = [() => router.stop()];
  const stop = async (): Promise<void> => {
    for (const each of stops.splice(0).reverse()) await each();
  };
  let snapshots = 0;
  try {
    if (variant.observeMonitor === true) {
      const watcher = new LocalNode({ name: "bench-monitor-watcher" });
      stops.push(() => watcher.close());
      connect(watcher, router.url);
      watcher.tag(MONITOR_TAG).observe().onChange(() => snapshots++);
    }
    const publisher = await hakubanPublisher(router.url, sizes);
    stops.push(() => publisher.close());
    const pool = await startClientPool("hakuban", router.url, Array.from({ length: VARIANT_FAN_OUT }, () => [0]), sizes);
    stops.push(() => pool.stop());
    return { system: { kind: "hakuban", publisher, pool }, router, snapshots: () => snapshots, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Delivered/s while the publisher goes flat out for WINDOW_MS, and the router's CPU time per version delivered meanwhile (µs). */
async function rateAndCost(system: System, router: RouterProcess): Promise<{ rate: number; cpuPerVersion: number }> {
  const before = await router.cpu();
  const rate = await deliveryRate(system, [0], WINDOW_MS);
  const cpu = (await router.cpu()) - before;
  return { rate, cpuPerVersion: cpu / ((rate * WINDOW_MS) / 1000) };
}

/**
 * Delivered/s of 1 KB → VARIANT_FAN_OUT through a router started as `variant`, against a plain router,
 * both started alike for this measure (a router, its publisher and its observers each), in alternating
 * rounds; goal ≥ 0.95×. With it, the router's CPU time per delivered version, the steadier figure on a
 * machine whose clients compete with the router for its cores (ratio plain ÷ variant).
 */
async function measureVariant(
  variant: RouterVariant,
  labels: { readonly name: string; readonly baseline: string; readonly notes: string },
  sizes: ReadonlyMap<number, number>,
  progress: (message: string) => void,
): Promise<BenchResult[]> {
  progress(`1 KB, ${VARIANT_FAN_OUT} observers: ${labels.name} against ${labels.baseline}`);
  const varied = await startVariantSystem(variant, sizes);
  try {
    const plain = await startVariantSystem({ options: {} }, sizes);
    try {
      const topics = [0];
      await deliveryRate(varied.system, topics, WARM_UP_MS);
      await deliveryRate(plain.system, topics, WARM_UP_MS);
      const withVariant: { rate: number; cpuPerVersion: number }[] = [];
      const without: { rate: number; cpuPerVersion: number }[] = [];
      for (let round = 0; round < VARIANT_ROUNDS; round++) {
        for (const each of round % 2 === 0 ? [varied, plain] : [plain, varied]) {
          (each === varied ? withVariant : without).push(await rateAndCost(each.system, each.router));
        }
      }
      if (variant.observeMonitor === true && varied.snapshots() === 0) throw new Error("the monitored router published no snapshot while it was measured");
      const rate = pairHigherIsBetter(withVariant.map((r) => r.rate), without.map((r) => r.rate));
      const cost = pairLowerIsBetter(withVariant.map((r) => r.cpuPerVersion), without.map((r) => r.cpuPerVersion));
      const name = `fan-out 1 KB → ${VARIANT_FAN_OUT} ${labels.name}`;
      return [
        {
          name: `${name}: delivered/s at saturation`,
          value: rate.hakuban,
          unit: "versions/s",
          baseline: { name: labels.baseline, value: rate.floor },
          ratio: rate.ratio,
          goal: { of: "ratio", is: ">=", bound: 0.95 },
          notes: `${labels.notes}; two routers started alike; median of ${VARIANT_ROUNDS} alternating rounds`,
        },
        {
          name: `${name}: router CPU per delivered version`,
          value: cost.hakuban,
          unit: "µs",
          baseline: { name: labels.baseline, value: cost.floor },
          ratio: cost.ratio,
          notes: `router process CPU time over each window ÷ versions delivered in it; ${labels.baseline} ÷ this; median of ${VARIANT_ROUNDS} alternating rounds`,
        },
      ];
    } finally {
      await plain.stop();
    }
  } finally {
    await varied.stop();
  }
}

async function measureFanOut(n: number, hakuban: System, floor: System, progress: (message: string) => void): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const size of SIZES) {
    progress(`${size.label}, ${n} observer(s) over ${hakuban.pool.processes} process(es) each`);
    const topics = [size.topic];
    await deliveryRate(hakuban, topics, WARM_UP_MS);
    await deliveryRate(floor, topics, WARM_UP_MS);
    const rates = await alternate(hakuban, floor, ROUNDS, (s) => deliveryRate(s, topics, WINDOW_MS));
    const lat = await alternate(hakuban, floor, ROUNDS, (s) => latency(s, topics, LATENCY_RATE, WINDOW_MS));
    const rate = pairHigherIsBetter(rates.hakuban, rates.floor);
    const p50 = pairLowerIsBetter(lat.hakuban.map((l) => l.p50), lat.floor.map((l) => l.p50));
    const p99 = pairLowerIsBetter(lat.hakuban.map((l) => l.p99), lat.floor.map((l) => l.p99));
    const name = `fan-out ${size.label} → ${n}`;
    results.push(
      {
        name: `${name}: delivered/s at saturation`,
        value: rate.hakuban,
        unit: "versions/s",
        baseline: { name: "raw ws floor", value: rate.floor },
        ratio: rate.ratio,
        ...(n === 100 && size.bytes === 1024 ? { goal: { of: "ratio", is: ">=", bound: 0.5 } } : {}),
        notes: `distinct versions received per second summed over observers; per observer ${(rate.hakuban / n).toFixed(0)}/s vs ${(rate.floor / n).toFixed(0)}/s; median of ${ROUNDS} alternating rounds`,
      },
      {
        name: `${name}: p50 latency at ${LATENCY_RATE}/s`,
        value: p50.hakuban,
        unit: "ms",
        baseline: { name: "raw ws floor", value: p50.floor },
        ratio: p50.ratio,
        notes: `floor ÷ hakuban; median of ${ROUNDS} alternating rounds`,
      },
      {
        name: `${name}: p99 latency at ${LATENCY_RATE}/s`,
        value: p99.hakuban,
        unit: "ms",
        baseline: { name: "raw ws floor", value: p99.floor },
        ratio: p99.ratio,
        ...(n === 100 && size.bytes === 1024 ? { goal: { of: "ratio", is: ">=", bound: 0.5 } } : {}),
        notes: `floor ÷ hakuban; median of ${ROUNDS} alternating rounds`,
      },
    );
  }
  return results;
}

const scenario: BenchScenario = {
  name: "fan-out through a router vs raw ws",
  async run(progress) {
    const sizes = new Map<number, number>(SIZES.map((s) => [s.topic, s.bytes]));
    const results: BenchResult[] = [];
    const router = await startRouterProcess();
    const floorServer = await startFloorServer().catch(async (error: unknown) => {
      await router.stop();
      throw error;
    });
    const publishers: Publisher[] = [];
    try {
      const hakubanPub = await hakubanPublisher(router.url, sizes);
      publishers.push(hakubanPub);
      const floorPub = await floorPublisher(floorServer.url, sizes);
      publishers.push(floorPub);
      for (const n of FAN_OUTS) {
        const clients = Array.from({ length: n }, () => SIZES.map((s) => s.topic));
        const pools = await startPools((kind) => startClientPool(kind, kind === "hakuban" ? router.url : floorServer.url, clients, sizes));
        try {
          const hakuban: System = { kind: "hakuban", publisher: hakubanPub, pool: pools.hakuban };
          const floor: System = { kind: "floor", publisher: floorPub, pool: pools.floor };
          results.push(...(await measureFanOut(n, hakuban, floor, progress)));
        } finally {
          await Promise.all([pools.hakuban.stop(), pools.floor.stop()]);
        }
      }
    } finally {
      for (const publisher of publishers) await publisher.close();
      await Promise.all([router.stop(), floorServer.stop()]);
    }
    results.push(
      ...(await measureVariant(
        { options: { policy: POLICY } },
        {
          name: "with a 20-rule policy",
          baseline: "a router without a policy",
          notes: "the links match the policy's last rule (grants and denies by tag and pattern)",
        },
        sizes,
        progress,
      )),
      ...(await measureVariant(
        { options: { monitorTag: MONITOR_TAG }, observeMonitor: true },
        {
          name: "with its monitor tag observed",
          baseline: "a router without monitoring",
          notes: "the router publishes its snapshot every second to an observer of its monitor tag",
        },
        sizes,
        progress,
      )),
    );
    return results;
  },
};
export default scenario;
