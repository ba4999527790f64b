/**
 * The publishing side of the fan-out benchmarks, one per system under test: a hakuban exposer (a
 * `LocalNode` linked to the router, exposing one object per topic) and the floor's raw `ws` publisher.
 * Both make update `k` of a topic with `nextDocument`; hakuban sets the new document with version
 * `[k]`, the floor sends the one-operation patch. Only the floor can say "not now" (its server has
 * not confirmed enough of what it sent); a hakuban exposer never blocks, its links skip to the latest
 * version.
 */
import { WebSocket, type RawData } from "ws";
import { LocalNode, connect, type ObjectContractBuilder, type ObjectExpose, type Upstream } from "../../lib/node-entry.js";
import type { JsonValue } from "../../lib/index.js";
import type { PatchOperation } from "../../lib/sync/json-patch/index.js";
import { SHAPES, type DocumentShape, type ShapeOps } from "./bench-document.js";
import { wallClockMs } from "./latency.js";
import { FLOOR_PUBLISHER_WINDOW } from "./ws-floor-server.js";

/** Publishes stamped updates of a fixed set of topics. */
export interface Publisher {
  /** Publishes the next update of `topic`; false (and nothing published) when the pipeline is full. */
  publish(topic: number): boolean;
  close(): Promise<void>;
}

/** The size in bytes of each topic's document. */
export type TopicSizes = ReadonlyMap<number, number>;

/** Which object a topic is in hakuban. */
export function topicObject(node: LocalNode, topic: number): ObjectContractBuilder {
  return node.object(["bench"], { topic });
}

/** How long the hakuban exposer may take to link to the router. */
const CONNECT_TIMEOUT_MS = 15_000;

/** One topic's latest update. */
interface Topic {
  readonly shape: ShapeOps;
  document: JsonValue;
  k: number;
}

function topicsOf(sizes: TopicSizes, shape: DocumentShape): Map<number, Topic> {
  const ops = SHAPES[shape];
  return new Map([...sizes].map(([topic, bytes]) => [topic, { shape: ops, document: ops.initial(bytes), k: 0 }]));
}

/** Moves `topic` to its next update; returns the patch that made it. */
function advance(topic: Topic | undefined, id: number): PatchOperation[] {
  if (topic === undefined) throw new Error(`topic ${id} was not declared to the publisher`);
  const next = topic.shape.next(topic.document, ++topic.k, wallClockMs());
  topic.document = next.document;
  return next.patch;
}

/**
 * A hakuban exposer linked to the router at `url`, exposing every topic at version [0] with its initial
 * document of `shape`; resolves once the link is up.
 */
export async function hakubanPublisher(url: string, sizes: TopicSizes, shape: DocumentShape = "table"): Promise<Publisher> {
  const node = new LocalNode({ name: "bench-exposer" });
  const upstream: Upstream = connect(node, url);
  const topics = topicsOf(sizes, shape);
  const exposes = new Map<number, ObjectExpose<JsonValue>>();
  for (const [id, topic] of topics) {
    const expose = topicObject(node, id).expose<JsonValue>();
    expose.set(topic.document, { version: [0] });
    exposes.set(id, expose);
  }
  const connected = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => done(false), CONNECT_TIMEOUT_MS);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      stop();
      resolve(ok);
    };
    const stop = upstream.onStatus((status) => status === "connected" && done(true));
    if (upstream.status === "connected") done(true);
  });
  if (!connected) {
    await node.close();
    throw new Error(`the bench exposer could not connect to ${url} within ${CONNECT_TIMEOUT_MS} ms`);
  }
  return {
    publish(id) {
      const topic = topics.get(id);
      advance(topic, id);
      exposes.get(id)!.set(topic!.document, { version: [topic!.k] });
      return true;
    },
    close: () => node.close(),
  };
}

/** The floor's publisher: a raw `ws` client of the floor server at `url` sending `<topic>|<patch>`, within the server's flow-control window; documents of `shape`. */
export async function floorPublisher(url: string, sizes: TopicSizes, shape: DocumentShape = "table"): Promise<Publisher> {
  const socket = new WebSocket(`${url}/pub`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const topics = topicsOf(sizes, shape);
  let sent = 0;
  let confirmed = 0;
  socket.on("message", (data: RawData) => void (confirmed = Number(String(data))));
  return {
    publish(id) {
      if (sent - confirmed >= FLOOR_PUBLISHER_WINDOW) return false;
      sent++;
      socket.send(`${id}|${JSON.stringify(advance(topics.get(id), id))}`);
      return true;
    },
    async close() {
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      socket.close();
      await closed;
    },
  };
}
