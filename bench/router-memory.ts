/**
 * Issue "router memory" figures: what a router process holds for 100,000 observed objects of about 100
 * bytes of data each. One client process exposes them (an object exposer each), another observes them
 * (an object observer each), both linked to a router in its own process on 127.0.0.1.
 *
 * - Bytes per observed object beyond the data: (router RSS after GC with the objects − router RSS after GC
 *   before any client linked) / count − 100, and the same for the V8 heap. Baseline: the data itself
 *   (100 B per object); ratio = data / (data + overhead), the share of the router's memory that is data.
 *   Goal: under 2 KB per object beyond the data (ratio > 0.047).
 *   RSS is taken twice: right after the objects synchronized, and once the router has been at rest for
 *   AT_REST_MS, when V8 has given back the heap pages the synchronization burst committed (what a router
 *   holding these objects keeps). The heap is the same both times.
 * - The router's total RSS with the objects, against its idle RSS plus the data (100 B × count), both
 *   measured in this run.
 *
 * Every process runs the compiled library, as shipped (see `support/library-entry.ts`).
 */
import { AT_REST_MS, memoryAtRest } from "./support/at-rest.js";
import { startRouterProcess, type RouterProcess } from "./support/router-process.js";
import { startScaleClient, type ClientMemory, type ScaleClient } from "./support/scale-client.js";
import type { BenchResult, BenchScenario } from "./result.js";

const OBJECTS = 100_000;
const TAG = "memory";
const DATA_BYTES = 100;
/** `{"n":0,"pad":"…"}` is DATA_BYTES of JSON with this much padding. */
const PADDING = DATA_BYTES - JSON.stringify({ n: 0, pad: "" }).length;
/** Objects exposed per IPC command, so the exposer's event loop (and its link) keeps turning. */
const CHUNK = 10_000;

const MiB = 2 ** 20;

/**
 * A per-object figure of what the router holds beyond the data, against the data itself: `perObject` is
 * the growth per object, data included.
 */
function beyondData(figure: string, perObject: number, notes: string): BenchResult {
  const overhead = perObject - DATA_BYTES;
  return {
    name: `router-memory/${figure}`,
    value: overhead,
    unit: "B",
    baseline: { name: "the data", value: DATA_BYTES },
    ratio: DATA_BYTES / (DATA_BYTES + overhead),
    goal: { of: "value", is: "<=", bound: 1024 },
    notes,
  };
}

const scenario: BenchScenario = {
  name: "router memory (100,000 observed objects)",
  async run(progress) {
    const clients: ScaleClient[] = [];
    let router: RouterProcess | undefined;
    try {
      router = await startRouterProcess();
      const idle = await router.memory();
      const exposer = await startScaleClient("hakuban", "memory-exposer");
      clients.push(exposer);
      const observer = await startScaleClient("hakuban", "memory-observer");
      clients.push(observer);
      await exposer.send({ cmd: "connect", url: router.url });
      await observer.send({ cmd: "connect", url: router.url });
      progress(`exposing ${OBJECTS} objects of ${DATA_BYTES} B and observing each of them`);
      const started = Date.now();
      for (let from = 0; from < OBJECTS; from += CHUNK) await exposer.send({ cmd: "expose", tag: TAG, from, count: CHUNK, padding: PADDING });
      await observer.send({ cmd: "observeObjects", tag: TAG, from: 0, count: OBJECTS });
      progress(`all ${OBJECTS} objects observed and synchronized after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const afterSync = await router.memory();
      progress(`leaving the router at rest for ${AT_REST_MS / 1000} s`);
      const live = await memoryAtRest(router);
      const stats = await router.stats();
      if (stats.objects < OBJECTS) throw new Error(`the router holds ${stats.objects} objects, expected ${OBJECTS}`);
      const exposerMemory = await exposer.send<ClientMemory>({ cmd: "memory" });
      const observerMemory = await observer.send<ClientMemory>({ cmd: "memory" });

      const clientNote = `clients after GC: exposer heap ${(exposerMemory.heapUsed / MiB).toFixed(0)} MiB, observer heap ${(observerMemory.heapUsed / MiB).toFixed(0)} MiB`;
      const results: BenchResult[] = [
        beyondData(
          "RSS per observed object beyond data",
          (live.rss - idle.rss) / OBJECTS,
          `at rest ${AT_REST_MS / 1000} s after the sync; router RSS after GC: idle ${(idle.rss / MiB).toFixed(1)} MiB, ` +
            `with ${OBJECTS} objects ${(live.rss / MiB).toFixed(1)} MiB (V8 heap committed ${(live.heapTotal / MiB).toFixed(1)} MiB, ` +
            `external ${(live.external / MiB).toFixed(1)} MiB)`,
        ),
        beyondData(
          "RSS per observed object beyond data, right after the sync",
          (afterSync.rss - idle.rss) / OBJECTS,
          `router RSS after GC ${(afterSync.rss / MiB).toFixed(1)} MiB (V8 heap committed ${(afterSync.heapTotal / MiB).toFixed(1)} MiB)`,
        ),
        beyondData(
          "heap per observed object beyond data",
          (live.heapUsed - idle.heapUsed) / OBJECTS,
          `router heap after GC: idle ${(idle.heapUsed / MiB).toFixed(1)} MiB, with ${OBJECTS} objects ${(live.heapUsed / MiB).toFixed(1)} MiB; ` +
            `outside the heap (ArrayBuffers and other external memory) ${((live.external - idle.external) / OBJECTS).toFixed(0)} B more per object; ${clientNote}`,
        ),
        {
          name: `router-memory/router RSS with ${OBJECTS} objects`,
          value: live.rss / MiB,
          unit: "MiB",
          baseline: { name: "idle router RSS + the data", value: (idle.rss + DATA_BYTES * OBJECTS) / MiB },
          ratio: (idle.rss + DATA_BYTES * OBJECTS) / live.rss,
          goal: { of: "value", is: "<=", bound: Math.round((idle.rss + (DATA_BYTES + 1024) * OBJECTS) / MiB), says: "idle + 1 KB per object + the data" },
        },
      ];
      return results;
    } finally {
      await Promise.allSettled(clients.map((client) => client.stop()));
      await router?.stop();
    }
  },
};
export default scenario;
