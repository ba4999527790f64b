import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { ObjectState } from "../state/object-state.js";
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
  /** The newest version known to exist elsewhere (told by the parent), so new versions order after it. */
  versionFloor: Version | undefined = undefined;

  constructor(
    readonly descriptor: ObjectDescriptor,
    tags: readonly TagEntry[],
  ) {
    this.tags = tags;
  }

  get key(): string {
    return this.descriptor.key;
  }

  /** The newest version known here: the state's or the floor, whichever is newer. */
  get latestVersion(): Version | undefined {
    const own = this.state?.version;
    const floor = this.versionFloor;
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
