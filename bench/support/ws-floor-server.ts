/**
 * The floor of the fan-out benchmarks: a minimal hand-written `ws` server in its own process, doing
 * what any library on Node and `ws` can at best do with the same bytes. Publishers connect to `/pub`,
 * subscribers to `/sub?topics=1,2,3`. A message is `<topic>|<JSON Patch>`; the server reads the topic
 * and sends the very same bytes, unparsed, to every subscriber of that topic. No state, no encoding.
 *
 * Flow control keeps queues (and so latency) bounded, as any live system must: kernel socket buffers
 * on loopback hold megabytes, so `bufferedAmount` alone would let a slow subscriber fall seconds
 * behind. Subscribers acknowledge every FLOOR_ACK_EVERY messages with their total count; while one
 * has more than SUBSCRIBER_WINDOW messages unacknowledged, the server stops confirming to publishers,
 * which send at most FLOOR_PUBLISHER_WINDOW messages beyond the last confirmation.
 *
 * `startFloorServer()` forks this file; the child answers `memory` (RSS and heap after a full GC) and
 * `cpu` (the CPU time it used) like the router process does, so the two can be compared per connection
 * and per delivered update.
 */
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { forkIpcChild, serveIpc } from "./ipc-child.js";
import type { RouterMemory } from "./router-process.js";

/** A running floor server process. */
export interface FloorServer {
  /** Base URL; publishers add `/pub`, subscribers `/sub?topics=…`. */
  readonly url: string;
  /** RSS and heap of the server process after a full GC. */
  memory(): Promise<RouterMemory>;
  /** User + system CPU time the process has used so far, in microseconds. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

/** Subscribers acknowledge (and the server confirms to publishers) every this many messages. */
export const FLOOR_ACK_EVERY = 16;
/** Messages a publisher may send beyond the server's last confirmation. */
export const FLOOR_PUBLISHER_WINDOW = 256;
/** Unacknowledged messages to one subscriber above which the server stops confirming to publishers. */
const SUBSCRIBER_WINDOW = 256;
/** The byte separating the topic from the patch in a message. */
const BAR = "|".charCodeAt(0);

/** A subscriber's flow-control counts. */
interface Subscriber {
  readonly socket: WebSocket;
  sent: number;
  acked: number;
  /** More than SUBSCRIBER_WINDOW unacknowledged, and not yet back under half of it. */
  over: boolean;
}

/** A publisher's flow-control counts. */
interface Publisher {
  readonly socket: WebSocket;
  received: number;
  confirmed: number;
}

/** Forks a floor server process and waits until it listens on 127.0.0.1. */
export async function startFloorServer(): Promise<FloorServer> {
  const child = await forkIpcChild(fileURLToPath(import.meta.url), ["--serve"], ["--expose-gc", "--import", "tsx"]);
  return {
    url: String(child.ready.url),
    memory: () => child.ask<RouterMemory>("memory"),
    cpu: () => child.ask<number>("cpu"),
    stop: () => child.stop(),
  };
}

async function serve(): Promise<void> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const subscribers = new Map<number, Set<Subscriber>>();
  const publishers = new Set<Publisher>();
  /** Subscribers that are over their window. */
  let blocked = 0;

  const confirm = (publisher: Publisher) => {
    publisher.confirmed = publisher.received;
    publisher.socket.send(String(publisher.received));
  };
  const forward = (publisher: Publisher, data: RawData) => {
    const message = data as Buffer;
    const topic = Number(message.toString("latin1", 0, message.indexOf(BAR)));
    for (const subscriber of subscribers.get(topic) ?? []) {
      subscriber.socket.send(message, { binary: false });
      if (++subscriber.sent - subscriber.acked > SUBSCRIBER_WINDOW && !subscriber.over) {
        subscriber.over = true;
        blocked++;
      }
    }
    if (++publisher.received - publisher.confirmed >= FLOOR_ACK_EVERY && blocked === 0) confirm(publisher);
  };
  const unblock = (subscriber: Subscriber) => {
    subscriber.over = false;
    if (--blocked === 0) for (const publisher of publishers) confirm(publisher);
  };

  server.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    const url = new URL(request.url ?? "/", "ws://floor");
    if (url.pathname === "/pub") {
      const publisher: Publisher = { socket, received: 0, confirmed: 0 };
      publishers.add(publisher);
      socket.on("message", (data) => forward(publisher, data));
      socket.on("close", () => publishers.delete(publisher));
      return;
    }
    const subscriber: Subscriber = { socket, sent: 0, acked: 0, over: false };
    const topics = (url.searchParams.get("topics") ?? "").split(",").filter((t) => t !== "").map(Number);
    for (const topic of topics) {
      let set = subscribers.get(topic);
      if (set === undefined) subscribers.set(topic, (set = new Set()));
      set.add(subscriber);
    }
    socket.on("message", (data: RawData) => {
      subscriber.acked = Number(String(data));
      if (subscriber.over && subscriber.sent - subscriber.acked <= SUBSCRIBER_WINDOW / 2) unblock(subscriber);
    });
    socket.on("close", () => {
      for (const topic of topics) subscribers.get(topic)?.delete(subscriber);
      if (subscriber.over) unblock(subscriber);
    });
  });

  serveIpc(
    { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` },
    (request) => {
      if (request.type === "cpu") {
        const { user, system } = process.cpuUsage();
        return user + system;
      }
      if (request.type !== "memory") throw new Error(`unknown request ${request.type}`);
      globalThis.gc?.();
      globalThis.gc?.();
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
      return { rss, heapUsed, heapTotal, external } satisfies RouterMemory;
    },
    async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  );
}

if (process.argv.includes("--serve")) await serve();
