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
 * Monitoring variant: the same measure through one router started with a monitor tag, in rounds where a
 * node observes the tag (the router publishes its snapshot every second, listing its 102 links and the
 * objects) and rounds where nothing does (the snapshot is not produced); goal ≥ 0.95× (counting states
 * costs an increment; the snapshot, a walk a second). Both variants also give the router's CPU time per
 * delivered version.
 */
import { LocalNode, connect, type JsonValue, type TagObserve } from "../lib/node-entry.js";
import { startRouterProcess, type RouterProcess, type RouterProcessOptions } from "./support/router-process.js";
import { startClientPool } from "./support/client-worker.js";
import { alternate, deliveryRate, latency, pairHigherIsBetter, pairLowerIsBetter, startPools, type System } from "./support/paired-systems.js";
import { hakubanPublisher } from "./support/publisher.js";
import { withRouterAndFloor } from "./support/router-and-floor.js";
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

/** A router process, one publisher and VARIANT_FAN_OUT observers of the 1 KB object. */
interface VariantSystem {
  readonly system: System;
  readonly router: RouterProcess;
  stop(): Promise<void>;
}

/** A router process started with `options`, with its publisher and observers. */
async function startVariantSystem(options: RouterProcessOptions, sizes: ReadonlyMap<number, number>): Promise<VariantSystem> {
  const router = await startRouterProcess(options);
  const stops: Array<() => Promise<void>> = [() => router.stop()];
  const stop = async (): Promise<void> => {
    for (const each of stops.splice(0).reverse()) await each();
  };
  try {
    const publisher = await hakubanPublisher(router.url, sizes);
    stops.push(() => publisher.close());
    const pool = await startClientPool("hakuban", router.url, Array.from({ length: VARIANT_FAN_OUT }, () => [0]), sizes);
    stops.push(() => pool.stop());
    return { system: { kind: "hakuban", publisher, pool }, router, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One side of a comparison: a system, and what puts it in its condition before each window. */
interface Condition {
  readonly on: VariantSystem;
  enter(): Promise<void>;
}

/** What a comparison is called in the results. */
interface ComparisonLabels {
  readonly name: string;
  readonly baseline: string;
  readonly notes: string;
}

/** Delivered/s while the publisher goes flat out for WINDOW_MS, and the router's CPU time per version delivered meanwhile (µs). */
async function rateAndCost({ system, router }: VariantSystem): Promise<{ rate: number; cpuPerVersion: number }> {
  const before = await router.cpu();
  const rate = await deliveryRate(system, [0], WINDOW_MS);
  const cpu = (await router.cpu()) - before;
  return { rate, cpuPerVersion: cpu / ((rate * WINDOW_MS) / 1000) };
}

/**
 * Delivered/s of 1 KB → VARIANT_FAN_OUT under `varied` against `plain`, in alternating rounds (each
 * condition entered before its window); goal ≥ 0.95×. With it, the router's CPU time per delivered
 * version (ratio plain ÷ varied).
 */
async function compare(varied: Condition, plain: Condition, labels: ComparisonLabels): Promise<BenchResult[]> {
  for (const each of [varied, plain]) {
    await each.enter();
    await deliveryRate(each.on.system, [0], WARM_UP_MS);
  }
  const withVariant: { rate: number; cpuPerVersion: number }[] = [];
  const without: { rate: number; cpuPerVersion: number }[] = [];
  for (let round = 0; round < VARIANT_ROUNDS; round++) {
    for (const each of round % 2 === 0 ? [varied, plain] : [plain, varied]) {
      await each.enter();
      (each === varied ? withVariant : without).push(await rateAndCost(each.on));
    }
  }
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
      notes: `${labels.notes}; median of the per-round ratios of ${VARIANT_ROUNDS} alternating rounds`,
    },
    {
      name: `${name}: router CPU per delivered version`,
      value: cost.hakuban,
      unit: "µs",
      baseline: { name: labels.baseline, value: cost.floor },
      ratio: cost.ratio,
      notes: `router process CPU time over each window ÷ versions delivered in it; ${labels.baseline} ÷ this; median of the per-round ratios of ${VARIANT_ROUNDS} alternating rounds`,
    },
  ];
}

/** A router with the 20-rule policy against one without, each with its own publisher and observers. */
async function measurePolicy(sizes: ReadonlyMap<number, number>, progress: (message: string) => void): Promise<BenchResult[]> {
  progress(`1 KB, ${VARIANT_FAN_OUT} observers through a router with a 20-rule policy and through one without`);
  const policed = await startVariantSystem({ policy: POLICY }, sizes);
  try {
    const plain = await startVariantSystem({}, sizes);
    try {
      const noChange = async (): Promise<void> => {};
      return await compare({ on: policed, enter: noChange }, { on: plain, enter: noChange }, {
        name: "with a 20-rule policy",
        baseline: "a router without a policy",
        notes: "the links match the policy's last rule (grants and denies by tag and pattern); two routers started alike",
      });
    } finally {
      await plain.stop();
    }
  } finally {
    await policed.stop();
  }
}

/**
 * One router started with a monitor tag, its monitor object observed by a node in this process in one
 * condition and not observed (so not produced) in the other: the same router, publisher and observers
 * on both sides, so only what monitoring costs differs. Entering the observed condition waits for a
 * fresh snapshot, so each observed window really has the monitor publishing.
 */
async function measureMonitoring(sizes: ReadonlyMap<number, number>, progress: (message: string) => void): Promise<BenchResult[]> {
  progress(`1 KB, ${VARIANT_FAN_OUT} observers through a router whose monitor tag is observed and not observed, in turns`);
  const monitored = await startVariantSystem({ monitorTag: MONITOR_TAG }, sizes);
  const watcher = new LocalNode({ name: "bench-monitor-watcher" });
  try {
    connect(watcher, monitored.router.url);
    let watching: TagObserve<JsonValue> | undefined;
    const observed: Condition = {
      on: monitored,
      enter: () =>
        new Promise<void>((resolve) => {
          watching ??= watcher.tag(MONITOR_TAG).observe();
          const stop = watching.onChange((change) => {
            if (change.state?.synchronized !== true) return;
            stop();
            resolve();
          });
        }),
    };
    const unobserved: Condition = {
      on: monitored,
      enter: async () => {
        watching?.terminate();
        watching = undefined;
      },
    };
    return await compare(observed, unobserved, {
      name: "with its monitor tag observed",
      baseline: "the same router, its monitor tag not observed",
      notes: "the router publishes its snapshot every second while an observer follows its monitor tag",
    });
  } finally {
    await watcher.close();
    await monitored.stop();
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
    await withRouterAndFloor(sizes, undefined, async ({ router, floorServer, hakubanPublisher: hakubanPub, floorPublisher: floorPub }) => {
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
    });
    results.push(...(await measurePolicy(sizes, progress)), ...(await measureMonitoring(sizes, progress)));
    return results;
  },
};
export default scenario;
