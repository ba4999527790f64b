/**
 * A hostile exposer grows its state by patches over a real WebSocket against a listener in a process of
 * its own, with small data limits: the patch that would take the state past them is refused before it is
 * held and the attacker's link is closed with a log line naming the object, the size and the limit. The
 * listener stays up with its memory bounded by the limits, not by the attack, and an honest observer
 * linked to it keeps receiving an honest exposer's updates.
 */
import { afterEach, expect, it } from "vitest";
import { InvalidLimitsError } from "../../lib/descriptor/invalid-limits-error.js";
import { LocalNode, connect, listen } from "../../lib/node-entry.js";
import { first, status } from "./helpers.js";
import { ListenerProcess } from "./spawned-listener.js";
import { growingState, type AttackOutcome } from "./wire-attacker.js";

const KiB = 1024;
const MiB = 1024 * KiB;
/** The listener's data limit: four of the attack's patches pass it. */
const MAX_LENGTH = MiB;
/** Each patch adds a string this long. */
const PATCH_BYTES = 256 * KiB;
/** Patches the attacker has ready: 16 MiB of state if the listener kept them all. */
const PATCHES = 64;

const nodes: LocalNode[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(nodes.splice(0).map((each) => each.close()));
});

it("refuses a patch that would grow a state past the data limits, closing only the attacker's link, with the listener's memory bounded", async () => {
  const listener = new ListenerProcess({ dataLimits: { maxLength: MAX_LENGTH }, logRateLimit: { burst: 100 } });
  cleanups.push(() => listener.stop());
  const url = await listener.url;

  // An honest exposer ticking every 10 ms, and an honest observer of it, on other nodes.
  const exposerNode = new LocalNode({ name: "honest-exposer" });
  const observerNode = new LocalNode({ name: "honest-observer" });
  nodes.push(exposerNode, observerNode);
  await status(connect(exposerNode, url), "connected");
  await status(connect(observerNode, url), "connected");
  const exposer = exposerNode.object(["honest"], "ticks").expose<number>();
  let tick = 0;
  const ticker = setInterval(() => exposer.set(++tick), 10);
  cleanups.push(() => clearInterval(ticker));
  const observer = observerNode.object(["honest"], "ticks").observe<number>();
  await first(observer.state$, (state) => state?.synchronized === true);
  const before = await listener.memory();

  const outcome: AttackOutcome = await growingState(PATCHES, PATCH_BYTES).run({
    url,
    honest: exposer.descriptor,
    patienceMs: 10_000,
    pingEveryMs: 1_000,
  });
  cleanups.push(() => outcome.leave());
  expect(outcome).toMatchObject({ attempts: 1, turnedAway: 1 });
  const after = await listener.memory();
  // What the listener held of the attack: at most the last state within the limit (strings count as heap).
  expect(after.heapUsed - before.heapUsed).toBeLessThan(6 * MiB);
  expect(listener.child.exitCode).toBeNull();

  // The patch that would pass the limit is the fourth: {"s1":"g…","s2":"g…","s3":"g…","s4":"g…"}.
  const refusedLength = 2 + 4 * (PATCH_BYTES + 2) + 4 * 5 + 3;
  await expect
    .poll(() => listener.lines.find((line) => line.includes(outcome.names[0]!) && line.includes("disconnected")))
    .toMatch(
      new RegExp(
        `^warn child "${outcome.names[0]}" \\(.*\\) disconnected: .*Object .*: the peer sent a patch whose result would be ` +
          `${refusedLength} characters of JSON, more than maxLength \\(${MAX_LENGTH}\\), over this link's data limits`,
      ),
    );

  // The honest pair still flows.
  const latest = tick;
  await first(observer.state$, (state) => state?.synchronized === true && state.data >= latest + 5);
});

it("listen and connect refuse data limits that are not positive integers before linking anything", async () => {
  const node = new LocalNode({ name: "limits" });
  nodes.push(node);
  await expect(listen(node, { port: 0, dataLimits: { maxLength: 0 } })).rejects.toThrow(InvalidLimitsError);
  expect(() => connect(node, "ws://127.0.0.1:1", { dataLimits: { maxDepth: 2.5 } })).toThrow(InvalidLimitsError);
});
