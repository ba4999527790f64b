/**
 * Version poisoning over real WebSockets (the hardening finding "16 × Number.MAX_SAFE_INTEGER"): a child
 * that claims to hold, or publishes, a version after which nothing orders cannot take an object's
 * versions away. An Open claiming the last version possible closes that link with a warning naming it;
 * one claiming a huge but valid version is a claim, not a state; a state versioned after everything is
 * dropped from a candidate that is not elected, and refused from one that is when it is the last version
 * possible. Meanwhile the honest exposer keeps publishing versions from its clock and the honest
 * observer keeps receiving them.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { LocalNode, connect, listen, type ObjectExpose, type ObjectObserve, type ObjectState } from "../../lib/node-entry.js";
import { first, status } from "./helpers.js";
import { type AttackTarget, HandLink, linesAbout, poisonedHave, poisonedState } from "./wire-attacker.js";

const MAX = Number.MAX_SAFE_INTEGER;

const nodes: LocalNode[] = [];
const lines: string[] = [];
const links: HandLink[] = [];
let target: AttackTarget;
let exposer: ObjectExpose<number>;
let observer: ObjectObserve<number>;
let observerNode: LocalNode;
let tick = 0;
let ticker: ReturnType<typeof setInterval>;
const started = Date.now();

beforeAll(async () => {
  const router = new LocalNode({ name: "router" });
  nodes.push(router);
  const listener = await listen(router, { port: 0, log: (line, severity) => lines.push(`${severity} ${line}`) });
  const exposerNode = new LocalNode({ name: "honest-exposer" });
  observerNode = new LocalNode({ name: "honest-observer" });
  nodes.push(exposerNode, observerNode);
  await status(connect(exposerNode, listener.url), "connected");
  await status(connect(observerNode, listener.url), "connected");
  exposer = exposerNode.object(["honest"], "ticks").expose<number>();
  ticker = setInterval(() => exposer.set(++tick), 10);
  observer = observerNode.object(["honest"], "ticks").observe<number>();
  await first(observer.state$, (state) => state?.synchronized === true);
  target = { url: listener.url, honest: exposer.descriptor, patienceMs: 10_000, pingEveryMs: 1_000 };
});

afterAll(async () => {
  clearInterval(ticker);
  for (const link of links.splice(0)) link.close();
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

async function attacker(name: string): Promise<HandLink> {
  const link = await HandLink.open(target, name);
  links.push(link);
  return link;
}

/**
 * Resolves with the honest observer's state once it has seen 5 more ticks from the honest exposer, whose
 * version must come from the exposer's clock (not pushed to the end of the range by a claim or a state).
 */
async function honestFlowing(): Promise<ObjectState<number>> {
  const from = tick;
  const state = (await first(observer.state$, (each) => each?.synchronized === true && each.data >= from + 5))!;
  expect(state.version[0]).toBeGreaterThanOrEqual(started);
  expect(state.version[0]).toBeLessThanOrEqual(Date.now());
  return state;
}

it("an Open claiming the last version possible closes that link, with a warning naming it", async () => {
  const from = lines.length;
  const outcome = await poisonedHave().run(target);
  const warnings = linesAbout(lines.slice(from), outcome);
  outcome.leave();
  expect(outcome.turnedAway).toBe(1);
  expect(warnings.join("\n")).toMatch(/^warn child "attacker-\d+-poisoned-have" .* disconnected: .*schema Open: A version must leave room for a later one/m);
  await honestFlowing();
});

it("an Open claiming a huge valid version is only a claim: an exposer elected after it still versions from its clock", async () => {
  const firstNode = new LocalNode({ name: "first-exposer" });
  const secondNode = new LocalNode({ name: "second-exposer" });
  nodes.push(firstNode, secondNode);
  await status(connect(firstNode, target.url), "connected");
  await status(connect(secondNode, target.url), "connected");
  const handover = firstNode.object(["honest"], "handover").expose<string>();
  handover.set("from the first");
  const watched = observerNode.object(["honest"], "handover").observe<string>();
  await first(watched.state$, (state) => state?.data === "from the first");

  const link = await attacker("claims-max");
  const session = link.open(handover.descriptor, { observed: true, capacity: 0, have: [MAX] });
  // The listener took the claim in: it answered with the state it holds.
  expect(await session.until(() => session.statesReceived > 0, 10_000)).toBe(true);

  // The first exposer leaves; the second is elected and told the newest version the listener knows.
  secondNode.object(["honest"], "handover").expose<string>().set("from the second");
  handover.terminate();
  const state = (await first(watched.state$, (each) => each?.data === "from the second" && each.synchronized))!;
  expect(state.version[0]).toBeGreaterThanOrEqual(started);
  expect(state.version[0]).toBeLessThanOrEqual(Date.now());
  expect(link.turnedAway).toBe(false);
  await honestFlowing();
  link.close();
});

it("a state versioned after everything from a candidate that is not elected is dropped", async () => {
  const link = await attacker("unelected");
  const session = link.open(exposer.descriptor, { observed: false, capacity: 1 });
  expect(await session.until(() => session.decided, 10_000)).toBe(true);
  expect(session.assigned).toBe(false);
  session.publish({ v: [MAX], s: true, d: -1 });
  // Taken in (the listener answered a Sync sent after it), yet never published: the honest exposer stays the object's source.
  expect(await link.sync(10_000)).toBe(true);
  const seen: number[] = [];
  const stop = observer.onChange((state) => state !== undefined && seen.push(state.data));
  await honestFlowing();
  stop();
  expect(seen).not.toContain(-1);
  expect(exposer.assigned).toBe(true);
  link.close();
});

it("a state versioned last possible from an elected exposer is refused, and the honest exposer and observer go on", async () => {
  const outcome = await poisonedState().run(target);
  const named = linesAbout(lines, outcome);
  outcome.leave();
  expect(outcome.turnedAway).toBe(1);
  expect(named).toContainEqual(expect.stringMatching(/^warn child .* disconnected: .*the peer sent a state that cannot be decoded \(an invalid version: .*last possible version/));
  await honestFlowing();
});
