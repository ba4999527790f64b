/**
 * Issue "many connections" figures. 1,000 WebSocket clients (hakuban `LocalNode` + `connect`, spread
 * over 10 worker processes) on one router process, each observing 10 of 100 objects of 1 KB (every
 * object has 100 observers), exposed by one more client (this process).
 *
 * - Router memory per idle connection: router heap and RSS after a full GC with the clients connected
 *   and idle, minus the same before they connected, ÷ 1,000; the reading before is taken with 100 other
 *   clients already connected (every object observed, the connection path's code compiled), so it is
 *   what each further connection costs. Baseline, same run: the floor
 *   (bench/support/ws-floor-server.ts) holding 1,000 raw `ws` subscribers of 10 topics each. RSS is
 *   read a second after the clients connected, and again once the server has been at rest for
 *   AT_REST_MS, against a reading at rest before they connected (V8 gives back the pages the connections' synchronization burst committed; see
 *   `support/at-rest.ts`): what a router keeps per idle connection. Goals: heap under 64 KB, RSS at
 *   rest at most 32 KB (issue "Sync v2").
 * - Delivery rate when the 100 objects update round-robin as fast as the pipeline takes them:
 *   distinct versions received per second, summed over every client and object. Baseline, same run:
 *   the same fan-out through the floor server (1,000 raw subscribers applying each patch). Median of
 *   three alternating rounds, ratio hakuban ÷ floor.
 * Set HAKUBAN_BENCH_ROUTER_CPU_PROF=<dir> to profile the router.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AT_REST_MS } from "./support/at-rest.js";
import { startClientPool, type ClientPool } from "./support/client-worker.js";
import { alternate, deliveryRate, pairHigherIsBetter, type System } from "./support/paired-systems.js";
import { withRouterAndFloor } from "./support/router-and-floor.js";
import type { RouterMemory } from "./support/router-process.js";
import type { BenchGoal, BenchResult, BenchScenario } from "./result.js";

const CLIENTS = 1_000;
const OBJECTS = 100;
const PER_CLIENT = 10;
const CLIENTS_PER_PROCESS = 100;
const OBJECT_BYTES = 1024;
const ROUNDS = 3;
const WINDOW_MS = 1_500;
const WARM_UP_MS = 500;
/** Time the clients are left idle before memory is measured. */
const IDLE_MS = 1_000;
/**
 * Clients connected before the baseline reading and kept through the measurement: with them every object
 * is observed (its data held) and the connection path has run (its code compiled) before the baseline,
 * so the figure is what 1,000 more connections cost, not the data or the code that the first one brings.
 */
const WARM_CLIENTS = 100;

/** The objects client `i` observes: 10 distinct ones, every object observed by 100 clients. */
function topicsOf(i: number): number[] {
  return Array.from({ length: PER_CLIENT }, (_, m) => (7 * i + 13 * m) % OBJECTS);
}

/** Per-connection growth between two memory readings. */
function perConnection(before: RouterMemory, after: RouterMemory): { heap: number; rss: number } {
  return { heap: (after.heapUsed - before.heapUsed) / CLIENTS, rss: (after.rss - before.rss) / CLIENTS };
}

/**
 * Connects WARM_CLIENTS clients, then 1,000 more, and measures the server's memory growth once the 1,000
 * are connected and idle (from a reading taken IDLE_MS after the warm clients connected), and at rest
 * (from a reading taken once the server was at rest for AT_REST_MS with the warm clients, so both
 * readings are of a server at rest); the warm clients leave after.
 */
async function connectAll(
  start: (clients: readonly (readonly number[])[]) => Promise<ClientPool>,
  memory: () => Promise<RouterMemory>,
): Promise<{ pool: ClientPool; perConnection: { heap: number; rss: number }; atRest: { heap: number; rss: number } }> {
  const warm = await start(Array.from({ length: WARM_CLIENTS }, (_, i) => topicsOf(CLIENTS + i)));
  try {
    await sleep(IDLE_MS);
    const before = await memory();
    await sleep(AT_REST_MS);
    const beforeAtRest = await memory();
    const pool = await start(Array.from({ length: CLIENTS }, (_, i) => topicsOf(i)));
    await sleep(IDLE_MS);
    const idle = perConnection(before, await memory());
    await sleep(AT_REST_MS);
    return { pool, perConnection: idle, atRest: perConnection(beforeAtRest, await memory()) };
  } finally {
    await warm.stop();
  }
}

const scenario: BenchScenario = {
  name: "1,000 connections on one router vs raw ws",
  async run(progress) {
    const sizes = new Map<number, number>(Array.from({ length: OBJECTS }, (_, topic) => [topic, OBJECT_BYTES]));
    const topics = [...sizes.keys()];
    const pools: ClientPool[] = [];
    return withRouterAndFloor(sizes, undefined, async ({ router, floorServer, hakubanPublisher: hakubanPub, floorPublisher: floorPub }) => {
      try {
        progress(`${CLIENTS} hakuban clients over ${CLIENTS / CLIENTS_PER_PROCESS} processes`);
        const h = await connectAll((clients) => startClientPool("hakuban", router.url, clients, sizes, CLIENTS_PER_PROCESS), () => router.memory());
        pools.push(h.pool);
        progress(`${CLIENTS} floor subscribers over ${CLIENTS / CLIENTS_PER_PROCESS} processes`);
        const f = await connectAll((clients) => startClientPool("floor", floorServer.url, clients, sizes, CLIENTS_PER_PROCESS), () => floorServer.memory());
        pools.push(f.pool);

        progress(`${OBJECTS} objects updating round-robin, flat out`);
        const hakuban: System = { kind: "hakuban", publisher: hakubanPub, pool: h.pool };
        const floor: System = { kind: "floor", publisher: floorPub, pool: f.pool };
        await deliveryRate(hakuban, topics, WARM_UP_MS);
        await deliveryRate(floor, topics, WARM_UP_MS);
        const rates = await alternate(hakuban, floor, ROUNDS, (s) => deliveryRate(s, topics, WINDOW_MS));
        const rate = pairHigherIsBetter(rates.hakuban, rates.floor);
        const setup = `${CLIENTS} clients × ${PER_CLIENT} of ${OBJECTS} objects (${OBJECT_BYTES} B)`;
        /** A per-connection memory row: hakuban's figure against the floor's, ratio floor ÷ hakuban. */
        const memoryRow = (name: string, hakuban: number, floor: number, goal: BenchGoal, notes: string): BenchResult => ({
          name,
          value: hakuban,
          unit: "B",
          baseline: { name: "raw ws floor server", value: floor },
          ratio: floor / hakuban,
          goal,
          notes: `${setup}; ${notes}; ratio floor ÷ hakuban`,
        });
        const results: BenchResult[] = [
          memoryRow("router heap per idle connection", h.perConnection.heap, f.perConnection.heap, { of: "value", is: "<", bound: 65536 }, `heap after GC, connected and idle, minus before, ÷ ${CLIENTS}`),
          memoryRow(
            "router RSS per idle connection",
            h.perConnection.rss,
            f.perConnection.rss,
            { of: "value", is: "<", bound: 65536 },
            `RSS after GC ${IDLE_MS / 1000} s after connecting (includes socket buffers and freed-but-kept pages), minus before, ÷ ${CLIENTS}`,
          ),
          memoryRow(
            "router RSS per idle connection at rest",
            h.atRest.rss,
            f.atRest.rss,
            { of: "value", is: "<=", bound: 32768 },
            `RSS after GC once at rest ${AT_REST_MS / 1000} s more, minus the same at rest before, ÷ ${CLIENTS} (heap then ${h.atRest.heap.toFixed(0)} B, the floor's ${f.atRest.heap.toFixed(0)} B)`,
          ),
          {
            name: `deliveries/s, ${OBJECTS} objects × ${CLIENTS * PER_CLIENT / OBJECTS} observers`,
            value: rate.hakuban,
            unit: "versions/s",
            baseline: { name: "raw ws floor", value: rate.floor },
            ratio: rate.ratio,
            notes: `${setup}; distinct versions received per second summed over clients and objects, publisher flat out round-robin; median of ${ROUNDS} alternating rounds`,
          },
        ];
        return results;
      } finally {
        await Promise.all(pools.map((pool) => pool.stop()));
      }
    });
  },
};
export default scenario;
