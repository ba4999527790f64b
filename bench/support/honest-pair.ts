/**
 * An honest exposer and an honest observer of its object, each a node of its own linked to a router,
 * in a process of their own (so an attacker's or the router's stalls are not theirs). The exposer
 * publishes UPDATES_PER_SECOND updates of a small document; the observer notes when each arrives.
 * Over a window, the pair reports the observer's longest gap between updates (window edges included:
 * an observer that stopped receiving has a gap up to the window's end) and how often either node lost
 * its link (a router that stalls past the keep-alive drops them). `startHonestPair()` forks it.
 */
import { fileURLToPath } from "node:url";
import { forkIpcChild, serveIpc, type IpcRequest } from "./ipc-child.js";
import { hakubanForChild, shareLibraryWithChildren } from "./library-entry.js";
import { profileFlags } from "./profile-flags.js";

/** How often the honest exposer publishes. */
export const UPDATES_PER_SECOND = 50;

/** The honest object, as JSON (tags, json), so an attacker can aim at it. */
export const HONEST_OBJECT = { tags: ["honest"], json: "ticks" } as const;

/** What the observer saw during a window. */
export interface HonestWindow {
  /** The longest time between two updates the observer received, or from the window's edges (ms). */
  readonly longestGapMs: number;
  readonly updates: number;
  /** How many times the exposer's or the observer's link was lost. */
  readonly drops: number;
}

/** The pair, running. */
export interface HonestPair {
  /** Starts a window now. */
  startWindow(): Promise<void>;
  /** Resolves once the observer has received `updates` more updates, then ends the window and reports it. */
  endWindowAfter(updates: number): Promise<HonestWindow>;
  stop(): Promise<void>;
}

/** Forks the pair and resolves once the observer has the exposer's state. */
export async function startHonestPair(url: string): Promise<HonestPair> {
  await shareLibraryWithChildren();
  const child = await forkIpcChild(fileURLToPath(import.meta.url), ["--serve", url], [...profileFlags("client"), "--import", "tsx"]);
  return {
    startWindow: () => child.ask("startWindow"),
    endWindowAfter: (updates) => child.ask<HonestWindow>("endWindowAfter", { updates }),
    stop: () => child.stop(),
  };
}

async function serve(url: string): Promise<void> {
  const { LocalNode, connect } = await hakubanForChild();
  const exposerNode = new LocalNode({ name: "honest-exposer" });
  const observerNode = new LocalNode({ name: "honest-observer" });
  const upstreams = [connect(exposerNode, url), connect(observerNode, url)];
  let drops = 0;
  for (const upstream of upstreams) upstream.onStatus((status) => status === "disconnected" && drops++);
  const exposer = exposerNode.object(HONEST_OBJECT.tags, HONEST_OBJECT.json).expose<{ n: number; pad: string }>();
  const pad = "h".repeat(1000);
  let n = 0;
  const ticker = setInterval(() => exposer.set({ n: ++n, pad }), 1000 / UPDATES_PER_SECOND);
  const observer = observerNode.object(HONEST_OBJECT.tags, HONEST_OBJECT.json).observe<{ n: number }>();

  let last = performance.now();
  let longest = 0;
  let updates = 0;
  let dropsBefore = 0;
  let waiting: { until: number; resolve: () => void } | undefined;
  let synchronized: (() => void) | undefined;
  const ready = new Promise<void>((resolve) => (synchronized = resolve));
  observer.onChange((state) => {
    if (state?.synchronized !== true) return;
    synchronized?.();
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    updates++;
    if (waiting !== undefined && updates >= waiting.until) waiting.resolve();
  });
  await ready;

  serveIpc(
    {},
    async (request: IpcRequest) => {
      if (request.type === "startWindow") {
        last = performance.now();
        longest = updates = 0;
        dropsBefore = drops;
        return null;
      }
      if (request.type === "endWindowAfter") {
        const until = updates + Number(request.updates);
        if (updates < until) await new Promise<void>((resolve) => (waiting = { until, resolve }));
        waiting = undefined;
        return { longestGapMs: Math.max(longest, performance.now() - last), updates, drops: drops - dropsBefore } satisfies HonestWindow;
      }
      throw new Error(`unknown request ${request.type}`);
    },
    async () => {
      clearInterval(ticker);
      await Promise.all([exposerNode.close(), observerNode.close()]);
    },
  );
}

if (process.argv[2] === "--serve") await serve(process.argv[3]!);
