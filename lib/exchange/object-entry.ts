import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import { epochOf, type ObjectState } from "../state/object-state.js";
import { compareVersions, type Version } from "../state/version.js";
import type { Exposer, StateSink, TagSink } from "./participants.js";
import { hasMember, memberAt, memberCount, type MemberList } from "./member-list.js";
import type { TagEntry } from "./tag-entry.js";

/**
 * An object as one node sees it: who observes it, who could expose it, who was elected, and the latest
 * state. Lives while something references it (`refs`); dropping it frees its state.
 */
export class ObjectEntry {
  /** Replaced, never changed (see member-list.ts); only the exchange assigns them. */
  observers: MemberList<StateSink> = undefined;
  exposers: MemberList<Exposer> = undefined;
  /** Tag entries of this object's tags, in the descriptor's tag order. */
  readonly tags: readonly TagEntry[];
  /** Participants keeping the entry alive (observers and exposers of the object itself). */
  refs = 0;
  state: ObjectState<unknown> | undefined = undefined;
  /** The elected exposer; undefined while nobody observes the object or nobody can expose it. */
  assignee: Exposer | undefined = undefined;
  /**
   * The epoch of the current election (see ObjectState.epoch): this node's own count while it elects
   * for the object, the parent's word while the parent does. Only states of this epoch are published.
   */
  epoch = 0;
  /**
   * The newest version known to exist elsewhere (told by the parent), so new versions order after it,
   * and the epoch it was told in (it counts only within that epoch). One record, made when a parent
   * first tells one: a root's objects never have one.
   */
  versionFloor: { readonly version: Version; readonly epoch: number } | undefined = undefined;
  /** States that became the object's current state here (published or adopted), counted by the exchange: the monitor's updates per second. */
  updates = 0;
  /** Length of the last diff (JSON Patch text) a link sent for the object, set by the link; undefined until one sent one. */
  lastDiffBytes: number | undefined = undefined;

  constructor(
    readonly descriptor: ObjectDescriptor,
    tags: readonly TagEntry[],
  ) {
    this.tags = tags;
  }

  get key(): string {
    return this.descriptor.key;
  }

  /** The newest version of the current epoch known here: the state's or the floor, whichever is newer. */
  get latestVersion(): Version | undefined {
    const state = this.state;
    const own = state !== undefined && epochOf(state) === this.epoch ? state.version : undefined;
    const floor = this.versionFloor?.epoch === this.epoch ? this.versionFloor.version : undefined;
    if (floor === undefined) return own;
    if (own === undefined) return floor;
    return compareVersions(own, floor) >= 0 ? own : floor;
  }

  /** Whether anything other than `except` (one participant, or those it matches) observes the object. */
  observedBeyond(except: (sink: StateSink | TagSink) => boolean): boolean {
    const observers = this.observers;
    for (let i = 0, n = memberCount(observers); i < n; i++) if (!except(memberAt(observers, i))) return true;
    for (const tag of this.tags) for (const sink of tag.observers) if (!except(sink)) return true;
    return false;
  }

  /** Observed by an object observer here or by a tag observer of any of its tags. */
  get observed(): boolean {
    if (this.observers !== undefined) return true;
    for (const tag of this.tags) if (tag.observers.size > 0) return true;
    return false;
  }

  /** Whether `exposer` may be elected for this object (it exposes the object or one of its tags, and may expose it). */
  isCandidate(exposer: Exposer): boolean {
    if (exposer.mayExpose !== undefined && !exposer.mayExpose(this)) return false;
    if (hasMember(this.exposers, exposer)) return true;
    for (const tag of this.tags) if (tag.exposers.has(exposer)) return true;
    return false;
  }
}
