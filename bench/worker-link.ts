/**
 * Issue "links between workers" figures: hakuban links between the main thread and worker_threads
 * workers over message ports (connectPort / listenPorts) against the same links over the WebSocket
 * carrier on 127.0.0.1 (listen / connect), both set up in the same run, measured in alternating rounds.
 *
 * - Round trip: the main thread sets the object "ping", a worker's node observes it and exposes "pong"
 *   with the same data, the main thread's observer sees it: update → observed, there and back, one at a
 *   time. Median and p99 over the rounds' samples; ratio WebSocket ÷ port (above 1: the port is faster).
 * - Fan-out: the main thread's node exposes one 1 KB object and sets it flat out; FAN_OUT observers in
 *   OBSERVER_WORKERS workers (one node and one link each) count the versions they see (the link skips
 *   intermediate versions when a reader lags, by design). Delivered versions per second summed over the
 *   observers; ratio port ÷ WebSocket.
 * - Copies: a 64 KB message to a worker that posts it back, copied into a buffer that is transferred
 *   (what the carrier does: it never transfers the bytes it is given, which may go to other links too)
 *   against the same bytes posted as they are (structured clone); ratio clone ÷ copy and transfer.
 */
import { build } from "esbuild";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { WorkerLinkData } from "./support/worker-link-worker.js";
import { median, quantile } from "./support/latency.js";
import { libraryEntry, loadHakuban, type HakubanModule } from "./support/library-entry.js";
import type { BenchResult, BenchScenario } from "./result.js";

const ROUND_TRIPS = 300;
const ROUNDS = 5;
const FAN_OUT = 16;
const OBSERVER_WORKERS = 2;
const WINDOW_MS = 700;
const COPY_BYTES = 64 * 1024;
const COPIES = 300;

type Kind = "port" | "WebSocket";

/** A running worker and what it posts. */
interface BenchWorker {
  readonly worker: Worker;
  next(): Promise<unknown>;
}

function startWorker(code: string, data: WorkerLinkData, transfer: MessagePort[]): BenchWorker {
  const worker = new Worker(code, { eval: true, workerData: data, transferList: transfer });
  const inbox: unknown[] = [];
  let waiting: { resolve(message: unknown): void; reject(error: Error): void } | undefined;
  let failure: Error | undefined;
  worker.on("message", (message: unknown) => {
    if (waiting === undefined) inbox.push(message);
    else {
      const { resolve } = waiting;
      waiting = undefined;
      resolve(message);
    }
  });
  worker.on("error", (error) => {
    failure = error;
    waiting?.reject(error);
  });
  return {
    worker,
    next: () => {
      if (inbox.length > 0) return Promise.resolve(inbox.shift());
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
  };
}

/** One side of the comparison: a parent node in this thread, linked to workers by `kind`. */
interface Side {
  readonly kind: Kind;
  readonly node: InstanceType<HakubanModule["LocalNode"]>;
  /** Links a worker started with `data` (its port or URL filled in here), `links` links in all. */
  link(code: string, data: (link: { ports?: MessagePort[]; url?: string }) => WorkerLinkData, links: number): Promise<BenchWorker>;
  close(): Promise<void>;
}

async function side(hakuban: HakubanModule, kind: Kind): Promise<Side> {
  const node = new hakuban.LocalNode({ name: `main (${kind})` });
  const workers: Worker[] = [];
  const listener = kind === "WebSocket" ? await hakuban.listen(node, { port: 0 }) : undefined;
  const ports = kind === "port" ? hakuban.listenPorts(node) : undefined;
  return {
    kind,
    node,
    link: async (code, data, links) => {
      const transfer: MessagePort[] = [];
      if (ports !== undefined) {
        for (let i = 0; i < links; i++) {
          const { port1, port2 } = new MessageChannel();
          ports.accept(port1);
          transfer.push(port2);
        }
      }
      const started = startWorker(code, data(ports === undefined ? { url: listener!.url } : { ports: transfer }), transfer);
      workers.push(started.worker);
      if ((await started.next()) !== "ready") throw new Error("the worker did not link");
      return started;
    },
    close: async () => {
      await Promise.all(workers.map((worker) => worker.terminate()));
      await node.close();
    },
  };
}

/** Round trips of `side` (ms), one at a time, after the echo worker linked. */
function roundTrips(side: Side): (count: number) => Promise<number[]> {
  const ping = side.node.object(["bench"], "ping").expose<number>();
  const pong = side.node.object(["bench"], "pong").observe<number>();
  let expected = -1;
  let arrived: (() => void) | undefined;
  pong.onChange((state) => {
    if (state?.synchronized && state.data === expected) arrived?.();
  });
  let n = 0;
  return async (count) => {
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      expected = ++n;
      const seen = new Promise<void>((resolve) => (arrived = resolve));
      const start = performance.now();
      ping.set(n);
      await seen;
      samples.push(performance.now() - start);
    }
    return samples;
  };
}

/** Versions per second `observers` saw while `side` set its 1 KB object flat out for WINDOW_MS. */
async function fanOutRate(side: Side, fan: { set(data: { n: number; text: string }): boolean }, observers: readonly BenchWorker[], counter: { n: number }): Promise<number> {
  for (const observer of observers) {
    observer.worker.postMessage("report");
    await observer.next();
  }
  const text = "x".repeat(1000);
  const end = performance.now() + WINDOW_MS;
  const start = performance.now();
  while (performance.now() < end) {
    fan.set({ n: ++counter.n, text });
    await yieldToLoop();
  }
  const elapsed = performance.now() - start;
  let seen = 0;
  for (const observer of observers) {
    observer.worker.postMessage("report");
    seen += (await observer.next()) as number;
  }
  return seen / (elapsed / 1000);
}

/** Median round trip (ms) of a 64 KB message to the raw echo worker: posted as it is, or copied and transferred. */
async function copyRoundTrip(code: string, transfer: boolean): Promise<number> {
  const { port1, port2 } = new MessageChannel();
  const echo = startWorker(code, { mode: "raw", port: port2 }, [port2]);
  await echo.next();
  const bytes = new Uint8Array(COPY_BYTES).fill(7);
  const samples: number[] = [];
  for (let i = 0; i < COPIES; i++) {
    const back = new Promise((resolve) => port1.once("message", resolve));
    const start = performance.now();
    if (transfer) {
      const own = bytes.slice();
      port1.postMessage(own, [own.buffer]);
    } else port1.postMessage(bytes);
    await back;
    samples.push(performance.now() - start);
  }
  port1.close();
  await echo.worker.terminate();
  return median(samples.slice(COPIES / 10));
}

const scenario: BenchScenario = {
  name: "Links between workers: message ports against WebSockets on 127.0.0.1",
  async run(progress) {
    const hakuban = await loadHakuban(await libraryEntry());
    const bundled = await build({
      entryPoints: [new URL("./support/worker-link-worker.ts", import.meta.url).pathname],
      bundle: true,
      platform: "node",
      format: "cjs",
      write: false,
      external: ["bufferutil", "utf-8-validate"],
      logLevel: "silent",
    });
    const code = bundled.outputFiles[0]!.text;
    const sides = [await side(hakuban, "port"), await side(hakuban, "WebSocket")] as const;
    try {
      progress("round trips");
      const trips = new Map<Kind, { run: (count: number) => Promise<number[]>; samples: number[]; medians: number[] }>();
      for (const each of sides) {
        await each.link(code, (link) => ({ mode: "echo", ...(link.ports === undefined ? { url: link.url! } : { port: link.ports[0]! }) }), 1);
        const run = roundTrips(each);
        await run(ROUND_TRIPS); // warm-up
        trips.set(each.kind, { run, samples: [], medians: [] });
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const each of round % 2 === 0 ? sides : [...sides].reverse()) {
          const trip = trips.get(each.kind)!;
          const samples = await trip.run(ROUND_TRIPS);
          trip.samples.push(...samples);
          trip.medians.push(median(samples));
        }
      }
      const port = trips.get("port")!;
      const ws = trips.get("WebSocket")!;
      const tripRatio = median(port.medians.map((value, i) => ws.medians[i]! / value));

      progress(`fan-out to ${FAN_OUT} observers`);
      const fans = new Map<Kind, { fan: { set(data: { n: number; text: string }): boolean }; observers: BenchWorker[]; counter: { n: number }; rates: number[] }>();
      for (const each of sides) {
        const perWorker = FAN_OUT / OBSERVER_WORKERS;
        const observers: BenchWorker[] = [];
        for (let w = 0; w < OBSERVER_WORKERS; w++) {
          observers.push(await each.link(code, (link) => ({ mode: "observers", count: perWorker, ...(link.ports === undefined ? { url: link.url! } : { ports: link.ports }) }), perWorker));
        }
        const fan = each.node.object(["bench"], "fan").expose<{ n: number; text: string }>();
        const counter = { n: 0 };
        await fanOutRate(each, fan, observers, counter); // warm-up
        fans.set(each.kind, { fan, observers, counter, rates: [] });
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const each of round % 2 === 0 ? sides : [...sides].reverse()) {
          const fan = fans.get(each.kind)!;
          fan.rates.push(await fanOutRate(each, fan.fan, fan.observers, fan.counter));
        }
      }
      const portRates = fans.get("port")!.rates;
      const wsRates = fans.get("WebSocket")!.rates;
      const fanRatio = median(portRates.map((value, i) => value / wsRates[i]!));

      progress("copy against transfer");
      const cloned: number[] = [];
      const transferred: number[] = [];
      for (let round = 0; round < 3; round++) {
        cloned.push(await copyRoundTrip(code, false));
        transferred.push(await copyRoundTrip(code, true));
      }
      const copyRatio = median(transferred.map((value, i) => cloned[i]! / value));

      const notes = `worker_threads; median of the per-round ratios of ${ROUNDS} alternating rounds`;
      return [
        {
          name: "worker link round trip (update → observed and back), median",
          value: median(port.samples) * 1000,
          unit: "µs",
          baseline: { name: "WebSocket on 127.0.0.1", value: median(ws.samples) * 1000 },
          ratio: tripRatio,
          goal: { of: "ratio", is: ">=", bound: 1, says: "a port link answers at least as fast as a loopback WebSocket" },
          notes: `${ROUND_TRIPS} round trips a round; ${notes}`,
        },
        {
          name: "worker link round trip, p99",
          value: quantile(port.samples, 0.99) * 1000,
          unit: "µs",
          baseline: { name: "WebSocket on 127.0.0.1", value: quantile(ws.samples, 0.99) * 1000 },
          ratio: quantile(ws.samples, 0.99) / quantile(port.samples, 0.99),
          notes: `over all ${ROUNDS * ROUND_TRIPS} samples of each`,
        },
        {
          name: `worker link fan-out 1 KB → ${FAN_OUT} observers: delivered/s`,
          value: median(portRates),
          unit: "versions/s",
          baseline: { name: "WebSocket on 127.0.0.1", value: median(wsRates) },
          ratio: fanRatio,
          goal: { of: "ratio", is: ">=", bound: 1, says: "a port link delivers at least as much as a loopback WebSocket" },
          notes: `${OBSERVER_WORKERS} workers, one node and link per observer, publisher flat out for ${WINDOW_MS} ms; ${notes}`,
        },
        {
          name: "64 KB message to a worker and back, copied and transferred",
          value: median(transferred) * 1000,
          unit: "µs",
          baseline: { name: "posted as is (structured clone)", value: median(cloned) * 1000 },
          ratio: copyRatio,
          notes: `median of ${COPIES} round trips, 3 alternating rounds; what the carrier does against posting the bytes given`,
        },
      ];
    } finally {
      for (const each of sides) await each.close();
    }
  },
};

export default scenario;
