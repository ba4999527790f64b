/**
 * Observers for the fan-out benchmarks, in child processes so that they are not the bottleneck. A
 * worker opens K clients of one kind: hakuban (K `LocalNode`s, each `connect`ed to the router and
 * observing its topics' objects) or floor (K raw `ws` subscribers of the floor server, each applying
 * every patch to its copy of the document, as a hakuban observer does, and acknowledging as the floor's
 * flow control asks). It counts distinct versions
 * delivered per client and topic, the bytes its clients' sockets received and when the last delivery
 * came, and, while asked to, records each delivery's latency from the publisher's stamp (the age of the
 * state delivered). `startClientPool()` spreads clients over such workers and sums what they report.
 */
import { subscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { WebSocket } from "ws";
import { applyPatch, type PatchOperation } from "../../lib/sync/json-patch/index.js";
import type { JsonValue } from "../../lib/index.js";
import { SHAPES, type DocumentShape } from "./bench-document.js";
import { forkIpcChild, serveIpc, type IpcChild, type IpcRequest } from "./ipc-child.js";
import { wallClockMs } from "./latency.js";
import { hakubanForChild, shareLibraryWithChildren } from "./library-entry.js";
import { topicObject, type TopicSizes } from "./publisher.js";
import { FLOOR_ACK_EVERY } from "./ws-floor-server.js";
import { profileFlags } from "./profile-flags.js";

/** Which system the clients belong to. */
export type ClientKind = "hakuban" | "floor";

/** What the clients of a pool delivered since the last reset. */
export interface Deliveries {
  /** Distinct versions delivered, summed over clients and topics. */
  readonly count: number;
  /** Latencies in milliseconds (only while recording; at most MAX_SAMPLES per worker). */
  readonly samples: readonly number[];
  /** Bytes the clients' sockets received (WebSocket frames and all), summed over clients. */
  readonly bytes: number;
  /** Wall-clock time (wallClockMs) of the last delivery, the latest over workers; 0 when none. */
  readonly lastAt: number;
}

/** Observers spread over worker processes, measured together. */
export interface ClientPool {
  readonly processes: number;
  /** Zeroes the counts and drops the samples; records latencies from now on when `latency` is set. */
  reset(latency: boolean): Promise<void>;
  /** Deliveries since the last reset, summed over the workers. */
  report(): Promise<Deliveries>;
  /** Waits until no worker has received anything for a while (the pipeline drained). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

interface WorkerConfig {
  readonly kind: ClientKind;
  readonly url: string;
  /** The topics each client of this worker observes. */
  readonly clients: readonly (readonly number[])[];
  readonly sizes: readonly (readonly [number, number])[];
  readonly shape: DocumentShape;
}

/** Latency samples a worker keeps per reset. */
const MAX_SAMPLES = 200_000;
/** How long a worker may take to connect its clients and receive every initial state. */
const READY_TIMEOUT_MS = 60_000;
const SETTLE_POLL_MS = 100;
const SETTLE_MAX_MS = 10_000;

/**
 * Starts workers of `kind` for `clients` (the topics each client observes), at most `perProcess`
 * clients per process and at least two processes when there are two clients or more; resolves once
 * every client holds every topic's initial state (documents of `shape`).
 */
export async function startClientPool(
  kind: ClientKind,
  url: string,
  clients: readonly (readonly number[])[],
  sizes: TopicSizes,
  perProcess = 25,
  shape: DocumentShape = "table",
): Promise<ClientPool> {
  await shareLibraryWithChildren();
  const processes = Math.max(Math.ceil(clients.length / perProcess), Math.min(2, clients.length));
  const shares = Array.from({ length: processes }, (_, p) => clients.filter((_, i) => i % processes === p));
  const started = await Promise.allSettled(
    shares.map((share) => {
      const config: WorkerConfig = { kind, url, clients: share, sizes: [...sizes], shape };
      return forkIpcChild(fileURLToPath(import.meta.url), ["--work", JSON.stringify(config)], [...profileFlags("client"), "--import", "tsx"]);
    }),
  );
  const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s) => s.status === "rejected");
  if (failed !== undefined) {
    await Promise.all(workers.map((w) => w.stop()));
    throw failed.reason;
  }
  return pool(workers);
}

function pool(workers: readonly IpcChild[]): ClientPool {
  const report = async (): Promise<Deliveries> => {
    const parts = await Promise.all(workers.map((w) => w.ask<Deliveries>("report")));
    return {
      count: parts.reduce((sum, p) => sum + p.count, 0),
      samples: parts.flatMap((p) => p.samples),
      bytes: parts.reduce((sum, p) => sum + p.bytes, 0),
      lastAt: Math.max(0, ...parts.map((p) => p.lastAt)),
    };
  };
  const count = async () => (await Promise.all(workers.map((w) => w.ask<number>("count")))).reduce((a, b) => a + b, 0);
  return {
    processes: workers.length,
    async reset(latency) {
      await Promise.all(workers.map((w) => w.ask("reset", { latency })));
    },
    report,
    async settle() {
      const end = performance.now() + SETTLE_MAX_MS;
      let last = await count();
      while (performance.now() < end) {
        await sleep(SETTLE_POLL_MS);
        const now = await count();
        if (now === last) return;
        last = now;
      }
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}

/** Counts deliveries and the bytes received, and records latencies. */
class Meter {
  count = 0;
  samples: number[] = [];
  recording = false;
  lastAt = 0;
  /** Every TCP client socket this process opened (only the clients' do). */
  private readonly sockets = new Set<Socket>();
  /** What the sockets had received at the last reset. */
  private bytesAtReset = 0;

  constructor() {
    subscribe("net.client.socket", (message) => {
      this.sockets.add((message as { socket: Socket }).socket);
    });
  }

  /** A new version arrived; `stamp` is when its publisher made it (0: the initial document). */
  delivered(stamp: number): void {
    this.count++;
    this.lastAt = wallClockMs();
    if (this.recording && stamp > 0 && this.samples.length < MAX_SAMPLES) this.samples.push(this.lastAt - stamp);
  }

  /** Bytes the sockets received since the last reset. */
  bytes(): number {
    return this.received() - this.bytesAtReset;
  }

  reset(recording: boolean): void {
    this.count = 0;
    this.samples = [];
    this.lastAt = 0;
    this.recording = recording;
    this.bytesAtReset = this.received();
  }

  private received(): number {
    let sum = 0;
    for (const socket of this.sockets) sum += socket.bytesRead;
    return sum;
  }
}

/** Opens hakuban clients; resolves with a close function once each is connected and holds every topic. */
async function openHakubanClients(config: WorkerConfig, meter: Meter): Promise<() => Promise<void>> {
  const { LocalNode, connect } = await hakubanForChild();
  const shape = SHAPES[config.shape];
  const nodes = config.clients.map((topics, index) => {
    const node = new LocalNode({ name: `bench-observer-${index}` });
    const upstream = connect(node, config.url);
    const observes = topics.map((topic) => {
      const observe = topicObject(node, topic).observe<JsonValue>();
      let last = -1;
      observe.onChange((state) => {
        const k = state?.version[0];
        if (state === undefined || k === undefined || k === last) return;
        last = k;
        meter.delivered(shape.stampOf(state.data, k));
      });
      return observe;
    });
    return { node, ready: () => upstream.status === "connected" && observes.every((o) => o.state !== undefined) };
  });
  const close = async () => void (await Promise.all(nodes.map(({ node }) => node.close())));
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (!nodes.every(({ ready }) => ready())) {
    if (performance.now() > deadline) {
      await close();
      throw new Error(`hakuban clients not synchronized within ${READY_TIMEOUT_MS} ms (is the exposer up?)`);
    }
    await sleep(20);
  }
  return close;
}

/** Opens floor subscribers; resolves with a close function once each is open. */
async function openFloorClients(config: WorkerConfig, meter: Meter): Promise<() => Promise<void>> {
  const shape = SHAPES[config.shape];
  const initial = new Map(config.sizes.map(([topic, bytes]) => [topic, shape.initial(bytes)]));
  const sockets = config.clients.map((topics) => {
    const copies = new Map<number, JsonValue>(topics.map((topic) => [topic, initial.get(topic)!]));
    const socket = new WebSocket(`${config.url}/sub?topics=${topics.join(",")}`, { perMessageDeflate: false });
    let received = 0;
    socket.on("message", (data: Buffer) => {
      const text = data.toString();
      const bar = text.indexOf("|");
      const topic = Number(text.slice(0, bar));
      const patch = JSON.parse(text.slice(bar + 1)) as PatchOperation[];
      copies.set(topic, applyPatch(copies.get(topic)!, patch));
      meter.delivered(shape.stampOfPatch(patch));
      if (++received % FLOOR_ACK_EVERY === 0) socket.send(String(received));
    });
    return socket;
  });
  const close = async () => {
    for (const socket of sockets) socket.terminate();
  };
  try {
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve, reject) => {
            socket.once("open", resolve);
            socket.once("error", reject);
          }),
      ),
    );
  } catch (error) {
    await close();
    throw error;
  }
  return close;
}

async function work(config: WorkerConfig): Promise<void> {
  const meter = new Meter();
  const close = await (config.kind === "hakuban" ? openHakubanClients(config, meter) : openFloorClients(config, meter));
  serveIpc(
    { clients: config.clients.length },
    (request: IpcRequest) => {
      if (request.type === "count") return meter.count;
      if (request.type === "report") return { count: meter.count, samples: meter.samples, bytes: meter.bytes(), lastAt: meter.lastAt } satisfies Deliveries;
      if (request.type === "reset") {
        meter.reset(request.latency === true);
        return null;
      }
      throw new Error(`unknown request ${request.type}`);
    },
    close,
  );
}

const at = process.argv.indexOf("--work");
if (at >= 0) await work(JSON.parse(process.argv[at + 1]!) as WorkerConfig);
