/**
 * Issue "churn soak" figures: does a router's memory stay flat while clients keep coming and going?
 *
 * A router runs in its own process on 127.0.0.1. WORKERS churn client processes (`support/churn-client.ts`)
 * each repeat: connect a fresh node, expose 3 objects, observe the other workers' objects (and every other
 * cycle their whole tag), update, leave politely; every CYCLES_PER_PROCESS cycles a worker exits with its
 * link still open, as a crashed client would, and a fresh process takes its place. After a warm-up the
 * router's heap and RSS (after a full GC) are sampled every SAMPLE_MS. The warm-up outlasts the router's
 * resume window (RESUME_TTL_MS, 60 s: what a parent keeps of each departed child for a cheap resync), so
 * the samples see that store at its steady size instead of filling up, which would read as growth.
 *
 * Figures: growth of the mean of the last third of the samples over the mean of the first third (goal:
 * none, under 5%), the heap's least-squares slope (goal: less than 5% of the heap over the sampled
 * window), and what the router still holds once every client has left (goal: nothing).
 *
 * Duration: the warm-up (65 s) plus HAKUBAN_SOAK_SECONDS of sampling, 25 s by default (about 90 s in all,
 * to fit `npm run bench`). For a long soak: `HAKUBAN_SOAK_SECONDS=300 node --expose-gc --import tsx bench/run.ts soak`.
 */
import { startChurnClient, type ChurnClient } from "./support/churn-client.js";
import { RESUME_TTL_MS } from "../lib/sync/resume-store.js";
import { startRouterProcess, type RouterProcess } from "./support/router-process.js";
import type { BenchResult, BenchScenario } from "./result.js";

/** Seconds of sampling after the warm-up. */
const SECONDS = Number(process.env.HAKUBAN_SOAK_SECONDS ?? 25);
const WORKERS = 3;
const CYCLES_PER_PROCESS = 25;
const SAMPLE_MS = 1_000;
/** Churn before the first sample: the resume window fills and start-up allocations (JIT, buffers) settle. */
const WARM_UP_MS = RESUME_TTL_MS + 5_000;

const MiB = 2 ** 20;

interface Sample {
  readonly at: number;
  readonly heapUsed: number;
  readonly rss: number;
}

const mean = (xs: readonly number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;

/** Least-squares slope of `y` over `x`. */
function slope(points: readonly (readonly [number, number])[]): number {
  const mx = mean(points.map(([x]) => x));
  const my = mean(points.map(([, y]) => y));
  const num = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const den = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** Mean of the first and of the last third of `values`. */
function thirds(values: readonly number[]): { first: number; last: number } {
  const third = Math.max(1, Math.floor(values.length / 3));
  return { first: mean(values.slice(0, third)), last: mean(values.slice(-third)) };
}

const scenario: BenchScenario = {
  name: `churn soak (${(WARM_UP_MS / 1000).toFixed(0)} s warm-up + ${SECONDS} s sampled)`,
  async run(progress) {
    let router: RouterProcess | undefined;
    const live = new Set<ChurnClient>();
    let running = true;
    let cycles = 0;
    let crashes = 0;
    /** Keeps worker `worker` running: a fresh process each time the last one exits. */
    const keep = async (url: string, worker: number) => {
      while (running) {
        const client = await startChurnClient({ url, worker, workers: WORKERS, cycles: CYCLES_PER_PROCESS }, () => cycles++);
        live.add(client);
        await client.exited;
        live.delete(client);
        if (running) crashes++;
      }
    };
    const workers: Promise<void>[] = [];
    try {
      router = await startRouterProcess();
      const url = router.url;
      const idle = await router.memory();
      progress(`${WORKERS} churn workers for ${SECONDS} s (warm-up ${(WARM_UP_MS / 1000).toFixed(0)} s), router memory sampled every ${SAMPLE_MS} ms`);
      for (let worker = 0; worker < WORKERS; worker++) workers.push(keep(url, worker));
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      await sleep(WARM_UP_MS);
      const start = Date.now();
      const [cyclesBefore, crashesBefore] = [cycles, crashes];
      const samples: Sample[] = [];
      while (Date.now() - start < SECONDS * 1000) {
        const { heapUsed, rss } = await router.memory();
        samples.push({ at: (Date.now() - start) / 1000, heapUsed, rss });
        if (samples.length % 10 === 0) progress(`${samples.length} samples, ${cycles} cycles, ${crashes} abrupt exits, heap ${(heapUsed / MiB).toFixed(1)} MiB`);
        await sleep(SAMPLE_MS);
      }
      const [sampledCycles, sampledCrashes] = [cycles - cyclesBefore, crashes - crashesBefore];
      running = false;
      await Promise.allSettled([...live].map((client) => client.stop()));
      await Promise.allSettled(workers);
      // Links of clients that exited abruptly end when the router sees the socket close; give it a moment.
      await sleep(1_000);
      const leftover = await router.stats();
      const after = await router.memory();

      const heap = thirds(samples.map((s) => s.heapUsed));
      const rss = thirds(samples.map((s) => s.rss));
      const heapSlope = slope(samples.map((s) => [s.at / 60, s.heapUsed]));
      const rssSlope = slope(samples.map((s) => [s.at / 60, s.rss]));
      const minutes = (samples.at(-1)?.at ?? 0) / 60;
      const window = `${samples.length} samples over ${(minutes * 60).toFixed(0)} s, meanwhile ${sampledCycles} polite cycles and ${sampledCrashes} abrupt exits`;
      const results: BenchResult[] = [
        {
          name: "soak/router heap growth, last third vs first third",
          value: (100 * (heap.last - heap.first)) / heap.first,
          unit: "%",
          baseline: { name: "mean heap of the first third (MiB)", value: heap.first / MiB },
          ratio: heap.first / heap.last,
          goal: { of: "value", is: "<", bound: 5 },
          notes: `${window}; idle heap before any client ${(idle.heapUsed / MiB).toFixed(1)} MiB, after all left ${(after.heapUsed / MiB).toFixed(1)} MiB`,
        },
        {
          name: "soak/router RSS growth, last third vs first third",
          value: (100 * (rss.last - rss.first)) / rss.first,
          unit: "%",
          baseline: { name: "mean RSS of the first third (MiB)", value: rss.first / MiB },
          ratio: rss.first / rss.last,
          goal: { of: "value", is: "<", bound: 5 },
          notes: `RSS slope ${(rssSlope / 1024).toFixed(0)} KiB/min; idle RSS ${(idle.rss / MiB).toFixed(1)} MiB, after all left ${(after.rss / MiB).toFixed(1)} MiB`,
        },
        {
          name: "soak/router heap slope",
          value: heapSlope / 1024,
          unit: "KiB/min",
          baseline: { name: "mean heap of the first third (KiB)", value: heap.first / 1024 },
          goal: { of: "value", is: "<", bound: (0.05 * heap.first) / 1024 / Math.max(minutes, 1 / 60), says: "under 5% of the heap over the sampled window" },
          notes: `least squares over all samples; ${((heapSlope * minutes) / Math.max(1, sampledCycles + sampledCrashes)).toFixed(0)} B per client cycle`,
        },
        {
          name: "soak/router objects + contracts left after every client left",
          value: leftover.objects + leftover.contracts,
          unit: "entries",
          baseline: { name: "idle router", value: 0 },
          goal: { of: "value", is: "<=", bound: 0, says: "nothing left" },
          notes: `objects ${leftover.objects}, tags ${leftover.tags}, contracts ${leftover.contracts}`,
        },
      ];
      return results;
    } finally {
      running = false;
      await Promise.allSettled([...live].map((client) => client.stop()));
      await Promise.allSettled(workers);
      await router?.stop();
    }
  },
};
export default scenario;
