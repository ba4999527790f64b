/**
 * Issue "scale of cost" figures: what one update costs with 10 other live objects on the router against
 * with 100,000 other live observed objects (the others idle). Goal: cost(100k) / cost(10) ≤ 1.2,
 * reported as ratio = cost(10) / cost(100k), so ≥ 0.83 meets it.
 *
 * Two routers run side by side, each in its own process on 127.0.0.1: one holds 10 idle objects, the
 * other 100,000, each exposed (an object exposer each) by one client process and observed (an object
 * observer each) by another. The hot object lives in this process: an exposer node and an observer node,
 * each linked to the router over a real WebSocket (so the router relays every hot update). A round is
 * ROUND_TRIPS sequential updates, each set only after the previous one reached the observer; the cost of
 * an update is
 * - the time from set to delivery at the observer (round time / updates), and
 * - the router's CPU time per update (its process.cpuUsage over the round / updates).
 * Rounds on the two routers alternate (ABBA), and each figure is the median of the per-pair ratios.
 *
 * Every process runs the compiled library, as shipped (see `support/library-entry.ts`).
 */
import { filter, firstValueFrom } from "rxjs";
import type { LocalNode, ObjectExpose, Upstream } from "../lib/node-entry.js";
import { libraryEntry, loadHakuban, type HakubanModule } from "./support/library-entry.js";
import { startRouterProcess, type RouterProcess } from "./support/router-process.js";
import { startScaleClient, type ScaleClient } from "./support/scale-client.js";
import type { BenchResult, BenchScenario } from "./result.js";

const SMALL = 10;
const LARGE = 100_000;
const PADDING = 80;
/** Objects exposed per IPC command, so the exposer's link keeps turning while it creates them. */
const CHUNK = 10_000;
const ROUND_TRIPS = 1_000;
const PAIRS = 10;
/** Warm-up round trips per router before the measured pairs, so both routers' hot paths are compiled. */
const WARM_UP = 3_000;

interface Hot {
  readonly n: number;
}

/** A router with `others` idle observed objects, and the hot exposer/observer pair linked to it. */
interface Rig {
  readonly label: string;
  readonly router: RouterProcess;
  readonly expose: ObjectExpose<Hot>;
  /** Resolves the pending round trip once the observer sees `target`. */
  waiting: { readonly target: number; readonly resolve: () => void } | undefined;
  next: number;
}

async function linked(hakuban: HakubanModule, node: LocalNode, url: string, upstreams: Upstream[]): Promise<void> {
  const upstream = hakuban.connect(node, url);
  upstreams.push(upstream);
  await firstValueFrom(upstream.status$.pipe(filter((status) => status === "connected")));
}

/** Everything the scenario started, stopped in its finally block. */
interface Started {
  readonly clients: ScaleClient[];
  readonly nodes: LocalNode[];
  readonly upstreams: Upstream[];
  readonly routers: RouterProcess[];
}

async function startRig(hakuban: HakubanModule, label: string, others: number, { clients, nodes, upstreams, routers }: Started): Promise<Rig> {
  const router = await startRouterProcess();
  routers.push(router);
  const exposer = await startScaleClient("hakuban", `${label}-idle-exposer`);
  clients.push(exposer);
  const observer = await startScaleClient("hakuban", `${label}-idle-observer`);
  clients.push(observer);
  await exposer.send({ cmd: "connect", url: router.url });
  await observer.send({ cmd: "connect", url: router.url });
  for (let from = 0; from < others; from += CHUNK) {
    await exposer.send({ cmd: "expose", tag: "idle", from, count: Math.min(CHUNK, others - from), padding: PADDING });
  }
  await observer.send({ cmd: "observeObjects", tag: "idle", from: 0, count: others });

  const hotExposer = new hakuban.LocalNode({ name: `${label}-hot-exposer` });
  const hotObserver = new hakuban.LocalNode({ name: `${label}-hot-observer` });
  nodes.push(hotExposer, hotObserver);
  await linked(hakuban, hotExposer, router.url, upstreams);
  await linked(hakuban, hotObserver, router.url, upstreams);
  const expose = hotExposer.object(["hot"], "hot").expose<Hot>();
  const rig: Rig = { label, router, expose, waiting: undefined, next: 1 };
  hotObserver
    .object(["hot"], "hot")
    .observe<Hot>()
    .onChange((state) => {
      if (state?.synchronized && rig.waiting && state.data.n >= rig.waiting.target) rig.waiting.resolve();
    });
  await roundTrips(rig, 1);
  const stats = await router.stats();
  if (stats.objects < others + 1) throw new Error(`${label}: the router holds ${stats.objects} objects, expected ${others + 1}`);
  return rig;
}

/** Runs `count` sequential updates; returns microseconds per update (wall) and router CPU per update. */
async function roundTrips(rig: Rig, count: number): Promise<{ latency: number; cpu: number }> {
  const cpuBefore = await rig.router.cpu();
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const target = rig.next++;
    const arrived = new Promise<void>((resolve) => (rig.waiting = { target, resolve }));
    rig.expose.set({ n: target });
    await arrived;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e3;
  const cpu = (await rig.router.cpu()) - cpuBefore;
  rig.waiting = undefined;
  return { latency: elapsed / count, cpu: cpu / count };
}

const median = (xs: readonly number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const scenario: BenchScenario = {
  name: "update cost against the number of live objects (10 vs 100,000)",
  async run(progress) {
    const started: Started = { clients: [], nodes: [], upstreams: [], routers: [] };
    try {
      progress(`router A: ${SMALL} idle observed objects`);
      // The hot pair runs the same build of hakuban as the router and the clients.
      const hakuban = await loadHakuban(await libraryEntry());
      const small = await startRig(hakuban, "small", SMALL, started);
      progress(`router B: ${LARGE} idle observed objects (exposed by one client process, observed by another)`);
      const since = Date.now();
      const large = await startRig(hakuban, "large", LARGE, started);
      progress(`router B ready after ${((Date.now() - since) / 1000).toFixed(1)} s; ${PAIRS} ABBA pairs of ${ROUND_TRIPS} sequential updates`);

      for (let i = 0; i < 3; i++) {
        await roundTrips(small, WARM_UP / 3);
        await roundTrips(large, WARM_UP / 3);
      }
      const latency = { small: [] as number[], large: [] as number[], ratio: [] as number[] };
      const cpu = { small: [] as number[], large: [] as number[], ratio: [] as number[] };
      for (let pair = 0; pair < PAIRS; pair++) {
        const order = pair % 2 === 0 ? [small, large] : [large, small];
        const [first, second] = [await roundTrips(order[0]!, ROUND_TRIPS), await roundTrips(order[1]!, ROUND_TRIPS)];
        const [s, l] = order[0] === small ? [first, second] : [second, first];
        latency.small.push(s.latency);
        latency.large.push(l.latency);
        latency.ratio.push(s.latency / l.latency);
        cpu.small.push(s.cpu);
        cpu.large.push(l.cpu);
        cpu.ratio.push(s.cpu / l.cpu);
        progress(`pair ${pair + 1}: latency ${s.latency.toFixed(0)} µs vs ${l.latency.toFixed(0)} µs, router CPU ${s.cpu.toFixed(0)} µs vs ${l.cpu.toFixed(0)} µs per update`);
      }
      const results: BenchResult[] = [
        {
          name: "update-cost/set→observer latency with 100,000 other live objects",
          value: median(latency.large),
          unit: "µs/update",
          baseline: { name: `same with ${SMALL} other objects`, value: median(latency.small) },
          ratio: median(latency.ratio),
          goal: { of: "ratio", is: ">=", bound: 0.83, says: "cost ≤ 1.2× the small router's" },
          notes: `median of ${PAIRS} ABBA pairs of ${ROUND_TRIPS} sequential updates; per-pair ratios ${latency.ratio.map((r) => r.toFixed(2)).join(", ")}`,
        },
        {
          name: "update-cost/router CPU per update with 100,000 other live objects",
          value: median(cpu.large),
          unit: "µs/update",
          baseline: { name: `same with ${SMALL} other objects`, value: median(cpu.small) },
          ratio: median(cpu.ratio),
          goal: { of: "ratio", is: ">=", bound: 0.83, says: "cost ≤ 1.2× the small router's" },
          notes: `router process user+system CPU over each round; per-pair ratios ${cpu.ratio.map((r) => r.toFixed(2)).join(", ")}`,
        },
      ];
      return results;
    } finally {
      await Promise.allSettled(started.upstreams.map((upstream) => upstream.close()));
      await Promise.allSettled(started.nodes.map((node) => node.close()));
      await Promise.allSettled(started.clients.map((client) => client.stop()));
      await Promise.allSettled(started.routers.map((router) => router.stop()));
    }
  },
};
export default scenario;
