/**
 * Attacks of the hardening findings, drawn at random (a fixed seed) at small sizes and interleaved with
 * honest traffic, against one listener over real WebSockets, while an honest exposer ticks every 10 ms
 * and an honest observer follows it. Each run is every attack once, in a drawn order and in waves of
 * attacks made at the same time, with honest steps (bursts, newcomers) and checkpoints drawn between. Every attack must be turned away (its link
 * closed or its requests refused) with a warning naming it; at each checkpoint and at the end, the
 * listener still links a newcomer, which gets the exposer's latest state, the observer has that state
 * too, and the listener is back to its honest links.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LocalNode, connect, listen, type Listener, type ObjectExpose, type ObjectObserve } from "../../lib/node-entry.js";
import { first, status } from "./helpers.js";
import {
  declaredSizeFlood,
  deepJson,
  endedSessionFrames,
  growingState,
  idleSockets,
  inflatePastDeclared,
  inflateShortOfDeclared,
  linesAbout,
  openCloseChurn,
  openFlood,
  poisonedHave,
  stalledReader,
  unfinishedMessages,
  unfinishedUpgrades,
  type Attack,
  type AttackTarget,
} from "./wire-attacker.js";

const KiB = 1024;
/** Limits small enough for small attacks to reach them. */
const LIMITS = {
  upgradeTimeoutMs: 300,
  maxPendingUpgrades: 8,
  mux: { limits: { maxFrameBytes: 64 * KiB, maxInflatedBytes: 1024 * KiB } },
  dataLimits: { maxLength: 256 * KiB },
  // Opens come in a burst of maxObjects + maxTags (72) at most, then opensPerSecond.
  linkLimits: { maxObjects: 64, maxTags: 8, maxDescriptorLength: 64 * KiB, opensPerSecond: 100, queueBytes: 64 * KiB, maxQueueBytes: 512 * KiB, maxCongestedMs: 500 },
} as const;

/** Every attack, by name, at sizes over the limits above. */
const ATTACKS: ReadonlyMap<string, Attack> = new Map(
  [
    growingState(4, 200 * KiB),
    poisonedHave(),
    inflatePastDeclared(2048 * KiB),
    inflateShortOfDeclared(1024 * KiB),
    declaredSizeFlood(1000, 1024 * KiB),
    endedSessionFrames(100),
    deepJson(100 * KiB),
    openFlood(70, 64),
    openFlood(10, 16_000),
    openCloseChurn(300),
    stalledReader(1000, 48 * KiB),
    unfinishedMessages(3, 8 * 1024 * KiB, 256 * KiB),
    idleSockets(12),
    unfinishedUpgrades(12),
  ].map((attack) => [attack.name, attack]),
);

/**
 * Attacks that take every slot the listener has for sockets not upgraded yet (maxPendingUpgrades), so
 * that nothing else can connect while they last: they make waves of their own.
 */
const ALONE: ReadonlySet<string> = new Set([idleSockets(0).name, unfinishedUpgrades(0).name]);

/** Honest steps between the attacks: a burst of sets, or a newcomer observing the object. */
const HONEST_STEPS = ["burst", "newcomer"] as const;
/** Attacks run together, an honest step, or a checkpoint (the checks of a run's end). */
type Step = { readonly wave: readonly string[] } | { readonly honest: (typeof HONEST_STEPS)[number] } | { readonly checkpoint: true };

/**
 * One run: every attack once, in a drawn order, in waves of attacks run at the same time (each attack
 * joins the previous one's wave, unless either is ALONE, or starts a new one), with an honest step or
 * a checkpoint drawn after each wave, and a checkpoint at the end.
 */
const runs = fc
  .tuple(
    fc.shuffledSubarray([...ATTACKS.keys()], { minLength: ATTACKS.size, maxLength: ATTACKS.size }),
    fc.array(fc.boolean(), { minLength: ATTACKS.size, maxLength: ATTACKS.size }),
    fc.array(fc.constantFrom<Step>(...HONEST_STEPS.map((honest) => ({ honest })), { checkpoint: true }), { minLength: ATTACKS.size, maxLength: ATTACKS.size }),
  )
  .map(([attacks, joins, between]): Step[] => {
    const waves: string[][] = [];
    attacks.forEach((attack, i) => {
      const joinable = i > 0 && joins[i] && !ALONE.has(attack) && !waves.at(-1)!.some((other) => ALONE.has(other));
      if (joinable) waves.at(-1)!.push(attack);
      else waves.push([attack]);
    });
    return [...waves.flatMap((wave, i): Step[] => [{ wave }, between[i]!]), { checkpoint: true }];
  });

/** The longest the honest observer and a newcomer may take to get the exposer's latest state after a run. */
const CATCH_UP_MS = 10_000;

const nodes: LocalNode[] = [];
const lines: string[] = [];
let listener: Listener;
let exposer: ObjectExpose<number>;
let observer: ObjectObserve<number>;
let tick = 0;
let ticker: ReturnType<typeof setInterval>;

beforeAll(async () => {
  const router = new LocalNode({ name: "router" });
  nodes.push(router);
  listener = await listen(router, { port: 0, ...LIMITS, logRateLimit: { burst: 100_000 }, log: (line, severity) => lines.push(`${severity} ${line}`) });
  const exposerNode = new LocalNode({ name: "honest-exposer" });
  const observerNode = new LocalNode({ name: "honest-observer" });
  nodes.push(exposerNode, observerNode);
  await status(connect(exposerNode, listener.url), "connected");
  await status(connect(observerNode, listener.url), "connected");
  exposer = exposerNode.object(["honest"], "ticks").expose<number>();
  ticker = setInterval(() => exposer.set(++tick), 10);
  observer = observerNode.object(["honest"], "ticks").observe<number>();
  await first(observer.state$, (state) => state?.synchronized === true);
});

afterAll(async () => {
  clearInterval(ticker);
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

/** Resolves once `observe` has a synchronized state of at least `tick`; rejects after CATCH_UP_MS. */
async function caughtUp(observe: ObjectObserve<number>, latest: number, who: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${who} did not get state ${latest} within ${CATCH_UP_MS} ms (it has ${observe.data})`)), CATCH_UP_MS);
  });
  try {
    await Promise.race([first(observe.state$, (state) => state?.synchronized === true && state.data >= latest), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A node that links, observes the honest object until it has the latest state, and leaves. */
async function newcomer(): Promise<void> {
  const node = new LocalNode({ name: "newcomer" });
  try {
    await status(connect(node, listener.url), "connected");
    await caughtUp(node.object(["honest"], "ticks").observe<number>(), tick, "a newcomer");
  } finally {
    await node.close();
  }
}

/** Runs `attack` and checks the listener turned all of it away with a warning naming it. */
async function attackTurnedAway(attack: Attack, target: AttackTarget): Promise<void> {
  const from = lines.length;
  const outcome = await attack.run(target);
  const warnings = linesAbout(lines.slice(from).filter((line) => line.startsWith("warn ")), outcome);
  outcome.leave();
  expect(outcome.turnedAway, `${attack.name}: turned away`).toBe(outcome.attempts);
  expect(warnings, `${attack.name}: warnings naming it`).not.toEqual([]);
}

it("turns every attack away with a warning naming it while honest traffic flows, and is back to its honest links at each checkpoint", async () => {
  const target: AttackTarget = { url: listener.url, honest: exposer.descriptor, patienceMs: 10_000, pingEveryMs: 1_000 };
  await fc.assert(
    fc.asyncProperty(runs, async (steps) => {
      for (const step of steps) {
        if ("checkpoint" in step) {
          const latest = tick;
          await newcomer();
          await caughtUp(observer, latest, "the honest observer");
          await expect.poll(() => listener.links, { timeout: CATCH_UP_MS }).toBe(2);
        } else if ("honest" in step) {
          if (step.honest === "burst") for (let i = 0; i < 20; i++) exposer.set(++tick);
          else await newcomer();
        } else {
          // Every attack of the wave finishes (and leaves) before a failure of one is reported.
          const settled = await Promise.allSettled(step.wave.map((name) => attackTurnedAway(ATTACKS.get(name)!, target)));
          for (const each of settled) if (each.status === "rejected") throw each.reason;
        }
      }
    }),
    { numRuns: 2, seed: 20261207, endOnFailure: true },
  );
}, 120_000);
