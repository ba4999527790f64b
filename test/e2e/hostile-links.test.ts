/**
 * Hostile links against a listener in a process of its own, over real WebSockets: children that flood
 * Opens (small descriptors, then large ones), a child that opens and closes the honest object over and
 * over, and a child that stops reading while an exposer publishes large states to it. The listener holds
 * each to its link limits: it refuses the Opens over maxObjects and maxDescriptorLength, closes the
 * churner over opensPerSecond, and sends the stalled reader only the latest states until it closes its
 * link past maxCongestedMs, each with warnings naming the child, the limit and its value (summed up past
 * the log's burst), while its memory stays within what the limits allow and an honest observer keeps
 * receiving an exposer's ticks.
 */
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { LocalNode, connect } from "../../lib/node-entry.js";
import { first, status } from "./helpers.js";
import { ListenerProcess } from "./spawned-listener.js";
import { type AttackTarget, HandLink, linesAbout, openCloseChurn, openFlood } from "./wire-attacker.js";

const KiB = 1024;
const MiB = 1024 * KiB;

const LINK_LIMITS = {
  maxObjects: 1_000,
  maxTags: 16,
  maxDescriptorLength: 256 * KiB,
  opensPerSecond: 200,
  queueBytes: 256 * KiB,
  maxQueueBytes: 32 * MiB,
  maxCongestedMs: 1_000,
};
/**
 * What the listener may hold beyond its memory before an attack: what the limits allow (1,000 object
 * sessions or 256 KiB of keys; queueBytes and the latest state of each object), and slack. Without the
 * limits, the Open floods cost about 30 MiB and the stalled reader 32 MiB of queued states.
 */
const MEMORY_BOUND = 12 * MiB;
/** The most ticks the honest observer may miss in a row while the listener is under attack. */
const GAP_BOUND = 50;

/** The listener's heap and array buffers, after garbage collections. */
async function memoryOf(listener: ListenerProcess): Promise<number> {
  const usage = await listener.memory();
  return usage.heapUsed + usage.arrayBuffers;
}

/** The warnings the listener logged from index `from` on that name a link of one of `names`. */
function warnings(listener: ListenerProcess, from: number, names: readonly string[]): string[] {
  const named = linesAbout(listener.lines.slice(from), { names, attempts: 0, turnedAway: 0, leave: () => {} });
  return named.filter((line) => line.startsWith("warn "));
}

/** How the listener names the child `name` in its lines, as a pattern. */
const child = (name: string) => `child "${name}" \\(ws://127\\.0\\.0\\.1:\\d+\\)`;

/** `length` characters that do not compress (a fixed pseudo-random sequence). */
function noise(length: number, seed: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let x = 0x9e3779b9 ^ seed;
  const out = new Array<string>(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = alphabet[(x >>> 0) & 63]!;
  }
  return out.join("");
}

const nodes: LocalNode[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
let listener: ListenerProcess;
let target: AttackTarget;
let ticker: ReturnType<typeof setInterval>;
/** Resolves once the honest observer has seen 5 more ticks, with the largest run of ticks it missed since the previous call. */
let flowing: () => Promise<number>;

function node(name: string): LocalNode {
  const made = new LocalNode({ name });
  nodes.push(made);
  return made;
}

beforeAll(async () => {
  // States go uncompressed, so the stalled reader's are as large on the wire as in memory.
  listener = new ListenerProcess({ linkLimits: LINK_LIMITS, mux: { compression: false }, logRateLimit: { burst: 3, intervalMs: 300 } });
  const url = await listener.url;
  const exposerNode = node("exposer");
  const observerNode = node("observer");
  await status(connect(exposerNode, url), "connected");
  await status(connect(observerNode, url), "connected");
  const exposer = exposerNode.object(["honest"], "ticks").expose<number>();
  let tick = 0;
  ticker = setInterval(() => exposer.set(++tick), 10);
  const observer = observerNode.object(["honest"], "ticks").observe<number>();
  const seen: number[] = [];
  observer.onChange((state) => {
    if (state?.synchronized === true) seen.push(state.data);
  });
  await first(observer.state$, (state) => state?.synchronized === true);
  let from = 0;
  flowing = async () => {
    const last = seen.at(-1) ?? 0;
    await first(observer.state$, (state) => state !== undefined && state.synchronized && state.data >= last + 5);
    const since = seen.slice(Math.max(from - 1, 0));
    from = seen.length;
    return Math.max(...since.slice(1).map((value, index) => value - since[index]!));
  };
  await flowing();
  target = { url, honest: exposer.descriptor, patienceMs: 10_000, pingEveryMs: 1_000 };
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  clearInterval(ticker);
  await Promise.all(nodes.splice(0).map((each) => each.close()));
  await listener.stop();
});

it("refuses Open floods and closes a churner, with warnings naming the limit, holding only what the limits allow while honest ticks flow", async () => {
  const from = listener.lines.length;
  const before = await memoryOf(listener);
  const outcomes = await Promise.all([openFlood(20_000, 200).run(target), openFlood(100, 16_000).run(target), openCloseChurn(5_000).run(target)]);
  for (const outcome of outcomes) cleanups.push(() => outcome.leave());
  // The links of the floods the listener left open hold what it took of their Opens.
  expect((await memoryOf(listener)) - before).toBeLessThan(MEMORY_BOUND);
  expect(await flowing()).toBeLessThanOrEqual(GAP_BOUND);
  for (const outcome of outcomes) expect(outcome.turnedAway).toBe(outcome.attempts);

  const [smallFlood, largeFlood, churn] = outcomes.map((outcome) => outcome.names[0]!);
  // Refused one by one up to the log's burst (the flood outruns its answers to the refusals, which may end it).
  expect(warnings(listener, from, [smallFlood!]).slice(0, 3)).toEqual(
    Array(3).fill(expect.stringMatching(new RegExp(`^warn ${child(smallFlood!)} over maxObjects \\(1000\\): refused the Open of .*: 1,000 object sessions are open$`))),
  );
  expect(warnings(listener, from, [largeFlood!])[0]).toMatch(
    new RegExp(`^warn ${child(largeFlood!)} over maxDescriptorLength \\(262144\\): refused the Open of .*: its key of 15,998 characters would take the link's keys past the limit$`),
  );
  expect(warnings(listener, from, [churn!])).toEqual([
    expect.stringMatching(
      new RegExp(`^warn ${child(churn!)} disconnected: the child opened objects and tags faster than that after a first 1,016, over opensPerSecond \\(200\\); the link is closed`),
    ),
  ]);
  // Past the burst of 3, a limit's warnings are summed up, one line per interval.
  expect(await listener.line(from, /^warn children went over maxObjects \(1000\) /)).toMatch(
    /^warn children went over maxObjects \(1000\) [\d,]+ times in the last 300 ms \(the first 3 logged one by one\)$/,
  );
});

it("queues only the latest states toward a child that stopped reading, then closes its link after maxCongestedMs, while honest ticks flow", async () => {
  const before = await memoryOf(listener);
  // Eight objects of 256 KiB states: a listener that did not hold their senders back would queue
  // 2 MiB toward the reader every round.
  const bulk = node("bulk");
  await status(connect(bulk, target.url, { mux: { compression: false } }), "connected");
  const variants = Array.from({ length: 4 }, (_, i) => noise(256 * KiB, i));
  const exposers = Array.from({ length: 8 }, (_, i) => bulk.object(["bulk"], i).expose<{ round: number; noise: string }>());
  exposers.forEach((exposer, i) => exposer.set({ round: 0, noise: variants[i % 4]! }));
  const reader = await HandLink.open(target, "stalled-reader");
  cleanups.push(() => reader.close());
  const sessions = exposers.map((exposer) => reader.open(exposer.descriptor, { observed: true, capacity: 0 }));
  await Promise.all(sessions.map((session) => session.until(() => session.statesReceived > 0, 10_000)));
  reader.stopReading();

  // Updates every object until the listener says the reader is congested (it does after 500 ms of it).
  const from = listener.lines.length;
  const congested = new RegExp(`^warn ${child(reader.name)} over queueBytes \\(262144\\): [\\d,]+ bytes queued and [\\d,]+ not receipted for \\d+ ms: sending only the latest state`);
  for (let round = 1; round <= 200 && !listener.lines.slice(from).some((line) => congested.test(line)); round++) {
    exposers.forEach((exposer, i) => exposer.set({ round, noise: variants[(round + i) % 4]! }));
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
  }
  expect((await memoryOf(listener)) - before).toBeLessThan(MEMORY_BOUND);
  expect(await listener.line(from, new RegExp(`^warn ${child(reader.name)} disconnected: `))).toMatch(
    /disconnected: the child read too little for \d+ ms \([\d,]+ bytes still queued, [\d,]+ bytes not receipted\), over maxCongestedMs \(1000\); the link is closed/,
  );
  expect(warnings(listener, from, [reader.name])).toHaveLength(2);
  expect(await flowing()).toBeLessThanOrEqual(GAP_BOUND);
});
