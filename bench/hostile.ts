/**
 * Issue "Hardening: one hostile client must not crash, stall, poison or exhaust a router" figures: each
 * attack of the findings against the router `hakuban-router` runs (its own process, see
 * support/logged-router.ts), while an honest exposer publishes 50 updates/s and an honest observer
 * follows it (another process, support/honest-pair.ts), and the attacker speaks the wire by hand from
 * this process (test/e2e/wire-attacker.ts). Every attack, and a control run without one, gets a fresh
 * router and pair, so each peak is that run's own.
 *
 * Per attack: the router's peak RSS and the honest observer's longest gap between updates (from before
 * the attack until it has received RECOVERY_UPDATES more after it), each against the control run; in
 * the notes, how much of the attack the router turned away (closed the link, or refused its sessions)
 * and the first warning it logged about it, its longest event-loop stall and the honest links it
 * dropped. Then three summaries: attacks the router survived, attacks over its limits turned away with
 * a log line (those within its default limits, WITHIN_LIMITS, it serves), and honest links dropped (a
 * router stalled past the keep-alive drops its honest children too).
 *
 * Sizes are the findings' (24 GiB of RAM, 2 cores); the two attacks the findings left open-ended stop
 * when the router turns them away or at a size they bound: the growing state after 8 patches of 60 MB,
 * the stalled reader after 2,000 states of 1 MiB (longer than the router's 30 s maxCongestedMs takes).
 */
import { ObjectDescriptor } from "../lib/descriptor/object-descriptor.js";
import { DEFAULT_LINK_LIMITS } from "../lib/sync/link-limits.js";
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
  poisonedState,
  stalledReader,
  unfinishedMessages,
  unfinishedUpgrades,
  type Attack,
  type AttackOutcome,
} from "../test/e2e/wire-attacker.js";
import { HONEST_OBJECT, startHonestPair, UPDATES_PER_SECOND, type HonestPair, type HonestWindow } from "./support/honest-pair.js";
import { startLoggedRouter, type LoggedRouter, type RouterUsage } from "./support/logged-router.js";
import type { BenchResult, BenchScenario } from "./result.js";

const MiB = 2 ** 20;

/** The finding's flood of small descriptors: as many sessions as the router's default limits allow one link. */
const SMALL_OPEN_FLOOD = openFlood(100_000, 64);

const ATTACKS: readonly Attack[] = [
  growingState(8, 60_000_000),
  poisonedHave(),
  poisonedState(),
  inflatePastDeclared(64 * MiB),
  inflateShortOfDeclared(64 * MiB),
  declaredSizeFlood(100_000, 64 * MiB),
  endedSessionFrames(100_000),
  deepJson(64 * MiB),
  SMALL_OPEN_FLOOD,
  openFlood(10_000, 16_000),
  openCloseChurn(100_000),
  stalledReader(2_000, MiB),
  unfinishedMessages(30, 60_000_000, 30_000_000),
  idleSockets(20_000),
  unfinishedUpgrades(20_000),
];

/**
 * Attacks within the router's default limits, with why: the router serves them (within the memory and
 * gap goals) instead of turning them away.
 */
const WITHIN_LIMITS: ReadonlyMap<Attack, string> = new Map([
  [SMALL_OPEN_FLOOD, `within the default maxObjects (${DEFAULT_LINK_LIMITS.maxObjects.toLocaleString("en")}) and Open burst, so served`],
]);

/** The longest an honest observer may go without an update while the router is under attack. */
const GAP_BOUND_MS = 1_000;
/**
 * The router's peak RSS under attack may be at most this multiple of the control run's (about 100 MiB):
 * room to take in one of the largest messages the limits allow (64 MiB inflated) while holding it, its
 * decoded form and its re-encoding, and nothing that grows with the attack's length.
 */
const PEAK_MULTIPLE = 4;
/** How long the router has to turn an attack away once it is sent; longer than its 5 s upgrade timeout. */
const PATIENCE_MS = 8_000;
/** The control window: this many honest updates (5 s). */
const CONTROL_UPDATES = 5 * UPDATES_PER_SECOND;
/** After an attack, the window ends once the observer has this many more updates (0.5 s of them). */
const RECOVERY_UPDATES = UPDATES_PER_SECOND / 2;
/** An observer that gets no update for this long after an attack is given up on. */
const RECOVERY_LIMIT_MS = 30_000;
/** How long a router may take to answer once an attack is over before it counts as dead. */
const ANSWER_LIMIT_MS = 30_000;

/** What one run (an attack, or the control) measured. */
interface Run {
  /** The router's usage at the end, or its last reading before it stopped answering. */
  readonly usage: RouterUsage | undefined;
  /** The router still answered after the attack. */
  readonly survived: boolean;
  readonly window: HonestWindow;
  /** The honest observer had not recovered RECOVERY_LIMIT_MS after the attack. */
  readonly stuck: boolean;
  readonly outcome: AttackOutcome | undefined;
  /** The router's warnings and errors that name the attacker. */
  readonly warnings: readonly string[];
  /** Why the attack itself failed, if it did. */
  readonly failure: string | undefined;
}

/** `promise`'s value, or undefined once `ms` have passed (a rejection counts as undefined too). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** How often the router's usage is read during a run, so a router that dies still has a last peak. */
const USAGE_EVERY_MS = 250;

/** Reads the router's usage every USAGE_EVERY_MS (one request at a time) until stopped; `last` is the latest answer. */
function watchUsage(router: LoggedRouter): { readonly last: RouterUsage | undefined; stop(): void } {
  let last: RouterUsage | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const read = (): void => {
    void router.usage().then(
      (usage) => {
        last = usage;
        if (!stopped) timer = setTimeout(read, USAGE_EVERY_MS);
      },
      () => undefined,
    );
  };
  read();
  return {
    get last() {
      return last;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

async function run(attack: Attack | undefined): Promise<Run> {
  const router: LoggedRouter = await startLoggedRouter();
  const watch = watchUsage(router);
  let pair: HonestPair | undefined;
  try {
    pair = await startHonestPair(router.url);
    const from = (await router.log()).length;
    await pair.startWindow();
    let outcome: AttackOutcome | undefined;
    let failure: string | undefined;
    let warnings: string[] = [];
    if (attack !== undefined) {
      const target = { url: router.url, honest: new ObjectDescriptor(HONEST_OBJECT.tags, HONEST_OBJECT.json), patienceMs: PATIENCE_MS, pingEveryMs: 1_000 };
      outcome = await attack.run(target).catch((error: unknown) => {
        failure = error instanceof Error ? error.message : String(error);
        return undefined;
      });
      // What the router said before the attacker left (leaving makes it log as well).
      const lines = (await within(router.log(from), ANSWER_LIMIT_MS)) ?? [];
      if (outcome !== undefined) warnings = linesAbout(lines.filter((line) => /^(warn|error) /.test(line)), outcome);
      outcome?.leave();
    }
    const recovered = await within(pair.endWindowAfter(attack === undefined ? CONTROL_UPDATES : RECOVERY_UPDATES), attack === undefined ? 2 * CONTROL_UPDATES * 1000 / UPDATES_PER_SECOND : RECOVERY_LIMIT_MS);
    const window = recovered ?? (await pair.endWindowAfter(0));
    const usage = await within(router.usage(), ANSWER_LIMIT_MS);
    return { usage: usage ?? watch.last, survived: usage !== undefined, window, stuck: recovered === undefined, outcome, warnings, failure };
  } finally {
    watch.stop();
    await pair?.stop();
    await router.stop();
  }
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

/** Whether the router turned the whole attack away and said so in its log. */
function turnedAwayWithLine(run: Run): boolean {
  const outcome = run.outcome;
  return outcome !== undefined && outcome.attempts > 0 && outcome.turnedAway === outcome.attempts && run.warnings.length > 0;
}

function notes(attack: Attack, run: Run): string {
  const outcome = run.outcome;
  const parts = [attack.description];
  const within = WITHIN_LIMITS.get(attack);
  if (within !== undefined) parts.push(within);
  if (run.failure !== undefined) parts.push(`the attack failed: ${run.failure}`);
  if (outcome !== undefined) parts.push(`turned away ${outcome.turnedAway} of ${outcome.attempts}`);
  parts.push(run.warnings.length > 0 ? `logged: "${run.warnings[0]!.slice(0, 200)}"` : "no warning names the attacker");
  if (!run.survived) parts.push("the router did not survive");
  if (run.usage !== undefined) parts.push(`router event loop stalled up to ${run.usage.longestStallMs.toFixed(0)} ms`);
  if (run.window.drops > 0) parts.push(`honest links dropped ${run.window.drops} times`);
  if (run.stuck) parts.push(`the honest observer had not recovered ${RECOVERY_LIMIT_MS / 1000} s after the attack`);
  return parts.join("; ");
}

function figures(attack: Attack, run: Run, control: Run): BenchResult[] {
  const controlPeak = control.usage!.peakRss;
  const peak = run.usage?.peakRss ?? controlPeak;
  const controlGap = control.window.longestGapMs;
  const gap = run.window.longestGapMs;
  return [
    {
      name: `hostile/${attack.name}: router peak RSS`,
      value: peak / MiB,
      unit: "MiB",
      baseline: { name: "control, no attacker", value: controlPeak / MiB },
      ratio: controlPeak / peak,
      goal: { of: "ratio", is: ">=", bound: 1 / PEAK_MULTIPLE, says: `at most ${PEAK_MULTIPLE}× the control's peak` },
      notes: notes(attack, run),
    },
    {
      name: `hostile/${attack.name}: honest observer's longest gap`,
      value: gap,
      unit: "ms",
      baseline: { name: "control, no attacker", value: controlGap },
      ratio: controlGap / gap,
      goal: { of: "value", is: "<=", bound: GAP_BOUND_MS },
      notes: `from before the attack until ${RECOVERY_UPDATES} updates after it${run.stuck ? `; not recovered within ${RECOVERY_LIMIT_MS / 1000} s` : ""}`,
    },
  ];
}

const scenario: BenchScenario = {
  name: "a hostile client against a router, beside an honest exposer and observer",
  async run(progress) {
    progress(`control: no attacker, ${CONTROL_UPDATES} honest updates`);
    const control = await run(undefined);
    if (!control.survived || control.usage === undefined) throw new Error("the control router did not answer");
    progress(`control: peak RSS ${mib(control.usage.peakRss)}, longest gap ${control.window.longestGapMs.toFixed(0)} ms`);
    const results: BenchResult[] = [];
    const runs: Array<[Attack, Run]> = [];
    for (const attack of ATTACKS) {
      progress(`${attack.name}: ${attack.description}`);
      const measured = await run(attack);
      runs.push([attack, measured]);
      progress(
        `${attack.name}: peak RSS ${measured.usage === undefined ? "?" : mib(measured.usage.peakRss)}${measured.survived ? "" : " (the router died)"}, ` +
          `longest gap ${measured.window.longestGapMs.toFixed(0)} ms, ` +
          `turned away ${measured.outcome?.turnedAway ?? "?"} of ${measured.outcome?.attempts ?? "?"}, ${measured.warnings.length > 0 ? "logged" : "not logged"}`,
      );
      results.push(...figures(attack, measured, control));
    }
    const list = (pairs: Array<[Attack, Run]>) => pairs.map(([attack]) => attack.name).join(", ") || "none";
    const survived = runs.filter(([, each]) => each.survived);
    const overLimits = runs.filter(([attack]) => !WITHIN_LIMITS.has(attack));
    const turnedAway = overLimits.filter(([, each]) => turnedAwayWithLine(each));
    const dropped = runs.filter(([, each]) => each.window.drops > 0);
    results.push(
      {
        name: "hostile/attacks the router survived",
        value: survived.length,
        unit: "attacks",
        goal: { of: "value", is: ">=", bound: ATTACKS.length, says: "all of them" },
        notes: `did not survive: ${list(runs.filter(([, each]) => !each.survived))}`,
      },
      {
        name: "hostile/attacks over the limits turned away with a log line",
        value: turnedAway.length,
        unit: "attacks",
        goal: { of: "value", is: ">=", bound: overLimits.length, says: "every link closed or its requests refused, and a warning naming it" },
        notes: `not: ${list(overLimits.filter(([, each]) => !turnedAwayWithLine(each)))}; within the limits, served: ${list(runs.filter(([attack]) => WITHIN_LIMITS.has(attack)))}`,
      },
      {
        name: "hostile/honest links dropped",
        value: dropped.reduce((sum, [, each]) => sum + each.window.drops, 0),
        unit: "drops",
        goal: { of: "value", is: "<=", bound: 0, says: "none, whatever the attack" },
        notes: `during: ${list(dropped)}`,
      },
    );
    return results;
  },
};
export default scenario;
