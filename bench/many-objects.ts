/**
 * Issue "many objects" figures: 10,000 objects under one tag, each exposed by an object exposer in one
 * client process and all followed by one tag observer in another client process, through a router in
 * its own process (all on 127.0.0.1).
 *
 * - Rate: one-field updates (`n` changes) pushed round-robin across the 10,000 objects at saturation,
 *   counted when the tag observer gets them. The bench keeps WINDOW updates in flight (the observer
 *   reports its count over IPC every few hundred deliveries, the bench tops up the exposer), which is
 *   less than the object count, so no update is coalesced away and both sides do every update.
 *   Baseline, same run, same client code and pacing: a bare `ws` relay process (`support/raw-relay.ts`)
 *   forwarding, unparsed, one message per update carrying a one-operation JSON Patch that the exposer
 *   builds directly and the observer parses and applies. Hakuban and raw rounds alternate; the figure
 *   is the median of the per-pair ratios. Goal: ≥ 0.8× (the design's router target).
 * - Memory: the router's heap and RSS after GC with the 10,000 objects live, minus its idle figures
 *   before any client linked, per object; baseline: the object's descriptor and data as JSON. Goal: at
 *   most 1 KB per object beyond that (the router-memory goal, issue "Sync v2"). RSS is read right after the objects
 *   synchronized and once the router has been at rest (see `support/at-rest.ts`), as in router-memory.
 *
 * Every process runs the compiled library, as shipped (see `support/library-entry.ts`).
 */
import { AT_REST_MS, memoryAtRest } from "./support/at-rest.js";
import { startRouterProcess, type RouterProcess } from "./support/router-process.js";
import { startRawRelay, type RawRelay } from "./support/raw-relay.js";
import { startScaleClient, type ScaleClient, type ScaleTransport } from "./support/scale-client.js";
import type { BenchResult, BenchScenario } from "./result.js";

const OBJECTS = 10_000;
const TAG = "many";
/** Bytes of padding in each object's data, so a state is about 100 bytes of JSON. */
const PADDING = 80;
/** Updates in flight at most; well under OBJECTS, so an object never has two pending updates. */
const WINDOW = 2_000;
/** Updates per IPC command to the exposer. */
const BATCH = 250;
const UPDATES_PER_ROUND = 20_000;
const PAIRS = 5;
/** A round that sees no delivery for this long has lost updates: the bench fails instead of hanging. */
const STALL_MS = 15_000;

/** An exposer and an observer client linked through one relay, able to run a paced round of updates. */
interface Rig {
  readonly transport: ScaleTransport;
  readonly exposer: ScaleClient;
  readonly observer: ScaleClient;
  /** Sequence number of the next update (keeps each object's `n` increasing across rounds). */
  next: number;
  delivered: number;
  wake: () => void;
}

async function startRig(transport: ScaleTransport, url: string, clients: ScaleClient[]): Promise<Rig> {
  const observer = await startScaleClient(transport, `${transport}-observer`);
  clients.push(observer);
  const exposer = await startScaleClient(transport, `${transport}-exposer`);
  clients.push(exposer);
  const rig: Rig = { transport, exposer, observer, next: 0, delivered: 0, wake: () => undefined };
  observer.onProgress((delivered) => {
    rig.delivered = delivered;
    rig.wake();
  });
  await observer.send({ cmd: "connect", url });
  await exposer.send({ cmd: "connect", url });
  // The raw relay keeps nothing, so its observer must listen before the exposer sends the states.
  const observing = observer.send({ cmd: "observeTag", tag: TAG, count: OBJECTS });
  await exposer.send({ cmd: "expose", tag: TAG, from: 0, count: OBJECTS, padding: PADDING });
  await observing;
  return rig;
}

/** Pushes `updates` updates with at most WINDOW in flight; returns delivered updates per second. */
async function round(rig: Rig, updates: number): Promise<number> {
  const base = rig.delivered;
  const first = rig.next;
  const start = process.hrtime.bigint();
  let sent = 0;
  while (rig.delivered - base < updates) {
    while (sent < updates && sent - (rig.delivered - base) < WINDOW) {
      const count = Math.min(BATCH, updates - sent);
      rig.exposer.send({ cmd: "update", from: first + sent, count }).catch(() => undefined);
      sent += count;
    }
    const before = rig.delivered;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${rig.transport}: no delivery for ${STALL_MS} ms (${rig.delivered - base}/${updates})`)), STALL_MS);
      rig.wake = () => {
        clearTimeout(timer);
        resolve();
      };
      if (rig.delivered !== before) rig.wake();
    });
  }
  rig.next += updates;
  return updates / (Number(process.hrtime.bigint() - start) / 1e9);
}

const median = (xs: readonly number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const scenario: BenchScenario = {
  name: "many objects (10,000 under one tag, through a router process)",
  async run(progress) {
    const clients: ScaleClient[] = [];
    let router: RouterProcess | undefined;
    let relay: RawRelay | undefined;
    try {
      router = await startRouterProcess();
      relay = await startRawRelay();
      const idle = await router.memory();
      progress(`exposing ${OBJECTS} objects (one object exposer each) and observing their tag, through the router and through the raw relay`);
      const hakuban = await startRig("hakuban", router.url, clients);
      const raw = await startRig("raw", relay.url, clients);
      const afterSync = await router.memory();
      progress(`leaving the router at rest for ${AT_REST_MS / 1000} s`);
      const live = await memoryAtRest(router);
      const stats = await router.stats();
      if (stats.objects < OBJECTS) throw new Error(`the router holds ${stats.objects} objects, expected ${OBJECTS}`);

      progress(`warm-up, then ${PAIRS} alternating pairs of ${UPDATES_PER_ROUND} updates (window ${WINDOW})`);
      await round(hakuban, UPDATES_PER_ROUND / 2);
      await round(raw, UPDATES_PER_ROUND / 2);
      const rates = { hakuban: [] as number[], raw: [] as number[], ratio: [] as number[] };
      for (let pair = 0; pair < PAIRS; pair++) {
        const h = await round(hakuban, UPDATES_PER_ROUND);
        const r = await round(raw, UPDATES_PER_ROUND);
        rates.hakuban.push(h);
        rates.raw.push(r);
        rates.ratio.push(h / r);
        progress(`pair ${pair + 1}: hakuban ${h.toFixed(0)}/s, raw ws ${r.toFixed(0)}/s`);
      }

      const dataBytes = JSON.stringify({ tags: [TAG], json: { id: OBJECTS / 2 } }).length + JSON.stringify({ n: 0, pad: "x".repeat(PADDING) }).length;
      const heapPerObject = (live.heapUsed - idle.heapUsed) / OBJECTS;
      const rssPerObject = (live.rss - idle.rss) / OBJECTS;
      const rssPerObjectAfterSync = (afterSync.rss - idle.rss) / OBJECTS;
      const results: BenchResult[] = [
        {
          name: "many-objects/updates delivered to a tag observer (10,000 objects)",
          value: median(rates.hakuban),
          unit: "updates/s",
          baseline: { name: "raw ws relay forwarding JSON Patches", value: median(rates.raw) },
          ratio: median(rates.ratio),
          goal: { of: "ratio", is: ">=", bound: 0.8 },
          notes: `median of ${PAIRS} alternating pairs of ${UPDATES_PER_ROUND} updates, ${WINDOW} in flight; per-pair ratios ${rates.ratio.map((r) => r.toFixed(2)).join(", ")}`,
        },
        {
          name: "many-objects/router heap per live object (10,000 objects)",
          value: heapPerObject - dataBytes,
          unit: "B beyond data",
          baseline: { name: "descriptor + data JSON", value: dataBytes },
          goal: { of: "value", is: "<=", bound: 1024 },
          notes: `router heap idle ${(idle.heapUsed / 2 ** 20).toFixed(1)} MiB, with the objects ${(live.heapUsed / 2 ** 20).toFixed(1)} MiB (after GC)`,
        },
        {
          name: "many-objects/router RSS per live object (10,000 objects)",
          value: rssPerObject - dataBytes,
          unit: "B beyond data",
          baseline: { name: "descriptor + data JSON", value: dataBytes },
          goal: { of: "value", is: "<=", bound: 1024 },
          notes: `at rest ${AT_REST_MS / 1000} s after the sync; router RSS idle ${(idle.rss / 2 ** 20).toFixed(1)} MiB, with the objects ${(live.rss / 2 ** 20).toFixed(1)} MiB (after GC)`,
        },
        {
          name: "many-objects/router RSS per live object right after the sync (10,000 objects)",
          value: rssPerObjectAfterSync - dataBytes,
          unit: "B beyond data",
          baseline: { name: "descriptor + data JSON", value: dataBytes },
          notes: `router RSS ${(afterSync.rss / 2 ** 20).toFixed(1)} MiB (after GC; V8 still holds the pages the burst committed)`,
        },
      ];
      return results;
    } finally {
      await Promise.allSettled(clients.map((client) => client.stop()));
      await Promise.allSettled([router?.stop(), relay?.stop()]);
    }
  },
};
export default scenario;
