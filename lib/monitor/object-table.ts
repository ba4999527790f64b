import { memberCount } from "../exchange/member-list.js";
import type { ObjectEntry } from "../exchange/object-entry.js";
import { epochOf } from "../state/object-state.js";
import { electedExposer } from "./elected-exposer.js";
import type { ObjectSnapshot } from "./node-snapshot.js";
import { RateSampler } from "./rate-sampler.js";
import { StateSizes } from "./state-sizes.js";
import { TopRanked } from "./top-ranked.js";

/** An object as the table ranks it. */
interface Ranked {
  entry: ObjectEntry;
  updatesPerSecond: number;
  observers: number;
}

/**
 * The objects part of a node's snapshot: each object's updates per second (from the exchange's count of
 * its states, sampled once per interval) and the busiest objects listed, at most a limit of them, so a
 * router with 200,000 objects publishes a bounded snapshot. Only the listed objects are measured.
 */
export class ObjectTable {
  private readonly updates: RateSampler<ObjectEntry>;
  private readonly sizes = new StateSizes();

  /** `start`: when the node started, the beginning of the first rates' interval. */
  constructor(start: number) {
    this.updates = new RateSampler(start);
  }

  /** Ends a rates' interval at `now`, counting the updates of `objects` (every object the node has). */
  sampleRates(now: number, objects: Iterable<ObjectEntry>): void {
    const updates = this.updates;
    updates.begin(now);
    for (const entry of objects) updates.count(entry, entry.updates);
    updates.end();
  }

  /** The busiest `limit` of `objects`: by updates per second, then observers, then canonical key. */
  list(objects: Iterable<ObjectEntry>, limit: number): ObjectSnapshot[] {
    const top = new TopRanked<Ranked>(limit, busiestFirst);
    // A record turned away is reused for the next object: most objects cost no allocation.
    let spare: Ranked | undefined;
    for (const entry of objects) {
      const ranked = spare ?? { entry, updatesPerSecond: 0, observers: 0 };
      ranked.entry = entry;
      ranked.updatesPerSecond = this.updates.rate(entry);
      ranked.observers = observerCount(entry);
      if (top.admits(ranked)) {
        top.add(ranked);
        spare = undefined;
      } else spare = ranked;
    }
    return top.sorted().map((object) => this.describe(object));
  }

  private describe({ entry, updatesPerSecond, observers }: Ranked): ObjectSnapshot {
    const { state, assignee, lastDiffBytes } = entry;
    return {
      descriptor: entry.descriptor.toJSON(),
      exposer: assignee === undefined ? null : electedExposer(assignee.place),
      version: state === undefined ? null : [...state.version],
      epoch: state === undefined ? null : epochOf(state),
      synchronized: state?.synchronized ?? false,
      observers,
      exposers: exposerCount(entry),
      updatesPerSecond,
      stateBytes: state === undefined ? null : this.sizes.of(state),
      diffBytes: lastDiffBytes ?? null,
    };
  }
}

function busiestFirst(a: Ranked, b: Ranked): number {
  if (a.updatesPerSecond !== b.updatesPerSecond) return b.updatesPerSecond - a.updatesPerSecond;
  if (a.observers !== b.observers) return b.observers - a.observers;
  const ka = a.entry.key;
  const kb = b.entry.key;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Observers of the object here: its own (contracts and links) and those of its tags. */
function observerCount(entry: ObjectEntry): number {
  let count = memberCount(entry.observers);
  for (const tag of entry.tags) count += tag.observers.size;
  return count;
}

/** Candidates to expose the object here: its own exposers and those of its tags. */
function exposerCount(entry: ObjectEntry): number {
  let count = memberCount(entry.exposers);
  for (const tag of entry.tags) count += tag.exposers.size;
  return count;
}
