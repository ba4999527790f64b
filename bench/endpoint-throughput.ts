/**
 * Issue "choreography bindings" figures: one-way messages per second and round trips per second
 * between two projected endpoints over a real WebSocket on 127.0.0.1, against bare `ws` sending the
 * same 1 KB JSON payloads (JSON.stringify per message, one WebSocket message per payload) in the same
 * run. Both ends live in this process; every figure is the best of three rounds after a warm-up, with
 * raw and hakuban rounds interleaved so drift hits both alike.
 */
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { createSessionMux, type CarrierSessionMux, type SessionMuxOptions } from "../bindings/session-mux.js";
import { createEndpoint, loop, message, par, project, schema, send, seq, type Endpoint, type EventsOf } from "../lib/choreography/index.js";
import type { Carrier } from "../transports/carrier.js";
import { dialWs } from "../transports/node/ws-dial.js";
import { listenWebSocket } from "../transports/node/ws-listener.js";
import type { BenchResult, BenchScenario } from "./result.js";

/** Messages per one-way round. */
const ONE_WAY = 30_000;
/** Round trips per round (one in flight at a time). */
const ROUND_TRIPS = 6_000;
/** Messages sent per burst; at most two bursts are in flight, so neither side starves or floods. */
const WINDOW = 128;
const ROUNDS = 5;

/** One object update of exactly PAYLOAD_BYTES of JSON (under the default compression threshold). */
interface Update {
  readonly seq: number;
  readonly key: string;
  readonly data: string;
}
const PAYLOAD_BYTES = 1000;
const FILLER = "hakuban shares live json objects between processes; ".repeat(40);
const KEY = "bench/object-42";
const DATA = FILLER.slice(0, PAYLOAD_BYTES - JSON.stringify({ seq: 100000, key: KEY, data: "" }).length);

/** A fresh payload object per message, so no encode is ever skipped by identity caching. */
function update(seq: number): Update {
  return { seq: seq % 100000 + 100000, key: KEY, data: DATA };
}

const updateSchema = schema((value: unknown): Update => {
  const v = value as Partial<Update> | null;
  if (typeof v !== "object" || v === null || typeof v.seq !== "number" || typeof v.key !== "string" || typeof v.data !== "string") {
    throw new TypeError("expected { seq: number, key: string, data: string }");
  }
  return v as Update;
}, "Update");

const Data = message("Data", updateSchema);
const Ping = message("Ping", updateSchema);
const Pong = message("Pong", updateSchema);
/** The bench protocol: a looped lane of updates one way, and a looped ping/pong lane beside it. */
const protocol = par({
  oneWay: loop("Client", send("Client", "Server", Data)),
  roundTrip: loop("Client", seq(send("Client", "Server", Ping), send("Server", "Client", Pong))),
});
const clientProgram = project(protocol, "Client");
const serverProgram = project(protocol, "Server");
type Events = EventsOf<typeof protocol>;

/** Counts arrivals and wakes whoever waits for a count. */
class Arrivals {
  count = 0;
  #target = Infinity;
  #wake: (() => void) | undefined;

  add(): void {
    if (++this.count >= this.#target) {
      this.#target = Infinity;
      this.#wake?.();
    }
  }

  /** Resolves once `target` arrivals have been counted. */
  reach(target: number): Promise<void> {
    if (this.count >= target) return Promise.resolve();
    this.#target = target;
    return new Promise((resolve) => (this.#wake = resolve));
  }
}

/** One system under test: a connected pair that can pump one-way messages and run round trips. */
interface Pair {
  readonly name: string;
  oneWay(n: number): Promise<void>;
  roundTrips(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Sends `n` messages in bursts of WINDOW, keeping at most two bursts unreceived. */
async function pump(n: number, sendOne: (index: number) => void, arrivals: Arrivals): Promise<void> {
  const base = arrivals.count;
  let sent = 0;
  while (sent < n) {
    const burst = Math.min(WINDOW, n - sent);
    for (let index = 0; index < burst; index++) sendOne(sent++);
    await arrivals.reach(base + sent - WINDOW);
  }
  await arrivals.reach(base + n);
}

/** Bare `ws`: one text message per payload, JSON.stringify to send and JSON.parse to receive. */
async function rawPair(): Promise<Pair> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const accepted = new Promise<WebSocket>((resolve) => server.once("connection", resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { perMessageDeflate: false });
  await new Promise<void>((resolve) => client.once("open", resolve));
  const peer = await accepted;
  const oneWay = new Arrivals();
  const pongs = new Arrivals();
  let pingsLeft = 0;
  peer.on("message", (data: Buffer) => {
    const value = JSON.parse(data.toString()) as { kind: string; update: Update };
    if (value.kind === "data") oneWay.add();
    else peer.send(JSON.stringify({ kind: "pong", update: update(value.update.seq) }));
  });
  client.on("message", (data: Buffer) => {
    const value = JSON.parse(data.toString()) as { kind: string; update: Update };
    pongs.add();
    if (--pingsLeft > 0) client.send(JSON.stringify({ kind: "ping", update: update(value.update.seq + 1) }));
  });
  return {
    name: "raw ws",
    oneWay: (n) => pump(n, (index) => client.send(JSON.stringify({ kind: "data", update: update(index) })), oneWay),
    roundTrips: (n) => {
      pingsLeft = n;
      const done = pongs.reach(pongs.count + n);
      client.send(JSON.stringify({ kind: "ping", update: update(0) }));
      return done;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
      client.close();
      await closed;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Two projected endpoints on session muxes over a hakuban WebSocket carrier pair; `encodeCache: false`
 * shows what the default shared encode cache costs when every payload object is sent once.
 */
async function hakubanPair(options: SessionMuxOptions = {}): Promise<Pair> {
  let accept!: (carrier: Carrier) => void;
  const accepted = new Promise<Carrier>((resolve) => (accept = resolve));
  const listener = await listenWebSocket({ port: 0 }, (carrier) => accept(carrier));
  const clientMux: CarrierSessionMux = createSessionMux(await dialWs(listener.url), options);
  const serverMux: CarrierSessionMux = createSessionMux(await accepted, options);
  const client: Endpoint<Events, "Client"> = createEndpoint(clientProgram, clientMux);
  const server: Endpoint<Events, "Server"> = createEndpoint(serverProgram, serverMux);
  const oneWay = new Arrivals();
  server.lane("oneWay").serve({ Data: () => oneWay.add() });
  const serverRoundTrip = server.lane("roundTrip");
  serverRoundTrip.serve({ Ping: (ping) => serverRoundTrip.send("Pong", update(ping.seq)) });
  const clientOneWay = client.lane("oneWay");
  const clientRoundTrip = client.lane("roundTrip");
  return {
    name: options.encodeCache === false ? "hakuban endpoints, encodeCache: false" : "hakuban endpoints",
    oneWay: (n) => pump(n, (index) => clientOneWay.send("Data", update(index)), oneWay),
    roundTrips: async (n) => {
      let seq = 0;
      for (let index = 0; index < n; index++) {
        clientRoundTrip.send("Ping", update(seq));
        seq = (await clientRoundTrip.recv("Pong")).seq + 1;
      }
    },
    close: async () => {
      client.close();
      clientMux.close();
      serverMux.close();
      await listener.close();
    },
  };
}

/** Best rate (per second) over ROUNDS interleaved rounds of `measure` on each pair, after a warm-up. */
async function bestRates(pairs: readonly Pair[], n: number, measure: (pair: Pair, n: number) => Promise<void>): Promise<number[]> {
  for (const pair of pairs) await measure(pair, n);
  const best = pairs.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, pair] of pairs.entries()) {
      globalThis.gc?.();
      const start = process.hrtime.bigint();
      await measure(pair, n);
      const rate = n / (Number(process.hrtime.bigint() - start) / 1e9);
      best[index] = Math.max(best[index] as number, rate);
    }
  }
  return best;
}

const scenario: BenchScenario = {
  name: "endpoint throughput (WebSocket, 127.0.0.1)",
  async run(progress) {
    const pairs = [await rawPair(), await hakubanPair(), await hakubanPair({ encodeCache: false })];
    try {
      progress(`one-way: ${ONE_WAY} × ${PAYLOAD_BYTES} B payloads, bursts of ${WINDOW}`);
      const [rawOneWay, oneWay] = (await bestRates(pairs.slice(0, 2), ONE_WAY, (pair, n) => pair.oneWay(n))) as [number, number];
      progress(`round trips: ${ROUND_TRIPS} × ${PAYLOAD_BYTES} B each way, one in flight`);
      const [rawRoundTrips, roundTrips, uncachedRoundTrips] = (await bestRates(pairs, ROUND_TRIPS, (pair, n) => pair.roundTrips(n))) as [
        number,
        number,
        number,
      ];
      const results: BenchResult[] = [
        {
          name: `endpoint one-way ${PAYLOAD_BYTES} B (serve)`,
          value: oneWay,
          unit: "msg/s",
          baseline: { name: "raw ws, JSON.stringify per message", value: rawOneWay },
          ratio: oneWay / rawOneWay,
          goal: { of: "ratio", is: ">=", bound: 0.7 },
          notes: `bursts of ${WINDOW}, at most two unreceived; hakuban batches a tick's frames into one WebSocket message, raw ws sends one per payload`,
        },
        {
          name: `endpoint round trip ${PAYLOAD_BYTES} B (send + await recv)`,
          value: roundTrips,
          unit: "rt/s",
          baseline: { name: "raw ws ping/pong callbacks", value: rawRoundTrips },
          ratio: roundTrips / rawRoundTrips,
          goal: { of: "ratio", is: ">=", bound: 0.7 },
          notes: "one round trip in flight; the server answers from a serve() handler",
        },
        {
          name: `endpoint round trip ${PAYLOAD_BYTES} B, encodeCache: false`,
          value: uncachedRoundTrips,
          unit: "rt/s",
          baseline: { name: "raw ws ping/pong callbacks", value: rawRoundTrips },
          ratio: uncachedRoundTrips / rawRoundTrips,
          notes: "the same without the shared encode cache: its WeakMap entry per fresh payload object is the largest single cost found",
        },
      ];
      return results;
    } finally {
      for (const pair of pairs) await pair.close();
    }
  },
};
export default scenario;
