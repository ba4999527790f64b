/** Test doubles for the node's monitor: a clock the test moves, timers it fires, exposers placed on links or upstream. */
import type { EntrySet } from "../../lib/exchange/entry-set.js";
import type { Exchange } from "../../lib/exchange/exchange.js";
import type { Exposer, ExposerPlace } from "../../lib/exchange/participants.js";
import type { LocalNode } from "../../lib/local-node/local-node.js";
import type { MonitorTimers } from "../../lib/monitor/monitor-timers.js";
import { NodeMonitor, type NodeMonitorOptions } from "../../lib/monitor/node-monitor.js";
import type { NodeSnapshot } from "../../lib/monitor/node-snapshot.js";

/** A clock that stands still until the test moves it. */
export function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number): void {
      now += ms;
    },
  };
}

/** Interval timers that fire only when the test says so; `live` is how many run. */
export function manualTimers() {
  const running = new Map<number, { callback: () => void; ms: number }>();
  let last = 0;
  const timers: MonitorTimers = {
    setInterval(callback, ms) {
      running.set(++last, { callback, ms });
      return last;
    },
    clearInterval(handle) {
      running.delete(handle as number);
    },
  };
  return {
    timers,
    get live(): number {
      return running.size;
    },
    get intervals(): number[] {
      return [...running.values()].map((timer) => timer.ms);
    },
    /** Fires every running timer once. */
    fire(): void {
      for (const timer of [...running.values()]) timer.callback();
    },
  };
}

/** A monitor of `node` built as LocalNode builds its own, with the test's options (it takes over the exchange's election watcher). */
export function monitorOf(node: LocalNode, options: NodeMonitorOptions): NodeMonitor {
  return new NodeMonitor(
    {
      name: node.name,
      exchange: node.exchange,
      contracts: () => node.stats().contracts,
      expose: (descriptor) => node.object(descriptor).expose<NodeSnapshot>(),
    },
    options,
  );
}

/** An exposer as a link to a child (`place` a link) or the upstream stand-in is one, for one object or tags. */
export function placedExposer(exchange: Exchange, place: ExposerPlace | undefined, capacity = 1): Exposer {
  const assignedEntries: EntrySet = new Set();
  return {
    id: exchange.nextId(),
    capacity,
    assignedEntries,
    electedFor: () => undefined,
    releasedFrom: () => undefined,
    ...(place === undefined ? {} : { place }),
  };
}

/** A child link's place, as its link record names it. */
export function linkPlace(id: number, name: string): ExposerPlace {
  return { kind: "link", link: { id, name } };
}
