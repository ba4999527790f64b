import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { callGuarded, type ErrorSink } from "../events/error-sink.js";
import type { ListenerSet } from "../events/listener-set.js";
import { FormatDiffs } from "../state/format-diffs.js";
import { epochOf, isStateOf, withSynchronized, type ObjectState } from "../state/object-state.js";
import { compareVersions, type Version } from "../state/version.js";
import { electExposer, shouldMove } from "./election.js";
import { memberAt, memberCount, withMember, withoutMember } from "./member-list.js";
import { ObjectEntry } from "./object-entry.js";
import type { AccessDeniedError } from "./access-denied-error.js";
import type { AccessWatcher, ElectionAuthority, ElectionWatcher, Exposer, InterestWatcher, StateSink, TagSink } from "./participants.js";
import { TagEntry } from "./tag-entry.js";

/**
 * The exchange of one node: which objects and tags exist, who observes and who exposes them, who is
 * elected, and the latest state of each object. It does no I/O; participants (local contracts now,
 * links later) plug in through the interfaces in ./participants.ts.
 *
 * Re-entrancy: application code runs only from `emit`, which is deferred until the outermost exchange
 * operation has finished, in FIFO order. So a callback that creates, sets or terminates contracts always
 * sees a consistent exchange, and every listener sees events in the order they happened.
 */
export class Exchange {
  readonly objects = new Map<string, ObjectEntry>();
  readonly tags = new Map<string, TagEntry>();
  /** See tagEntriesOf. */
  private readonly tagLists = new WeakMap<readonly TagDescriptor[], readonly TagEntry[]>();
  /** Set by the link to a parent while the parent decides elections (see ElectionAuthority). */
  authority: ElectionAuthority | undefined = undefined;
  /** Set by the link to a parent, to report this subtree's interest (see InterestWatcher). */
  watcher: InterestWatcher | undefined = undefined;
  /** Set by the node's monitor, to hear of elections, handovers and releases (see ElectionWatcher). */
  electionWatcher: ElectionWatcher | undefined = undefined;
  /** The formats this node can diff and patch (its codecs'): its links tell their peers and diff by it. */
  readonly formatDiffs = new FormatDiffs();
  /** States that became an object's current state, over every object this node ever had (see ObjectEntry.updates). */
  updates = 0;
  /**
   * Objects that lost their exposer in the running operation, with the exposer that had them, while an
   * election watcher listens: elected again before the operation ends, a handover; else a release.
   */
  private readonly vacated = new Map<ObjectEntry, Exposer>();
  private lastId = 0;
  private depth = 0;
  private flushing = false;
  private readonly outboxSets: Array<ListenerSet<unknown> | (() => void)> = [];
  private readonly outboxValues: unknown[] = [];
  /** What a parent denied this subtree, per object or tag (see setAccess). */
  private readonly denials = new Map<ObjectEntry | TagEntry, Denials>();

  constructor(readonly reportError: ErrorSink) {}

  /** A fresh participant id (creation order). */
  nextId(): number {
    return ++this.lastId;
  }

  /** Delivers `value` to `listeners` now, or after the running exchange operation if there is one. */
  emit<T>(listeners: ListenerSet<T>, value: T): void {
    if (this.depth === 0 && !this.flushing) {
      listeners.emit(value);
      return;
    }
    this.outboxSets.push(listeners as ListenerSet<unknown>);
    this.outboxValues.push(value);
  }

  /** Runs `task` now, or after the running exchange operation (in order with emitted events). */
  defer(task: () => void): void {
    if (this.depth === 0 && !this.flushing) {
      callGuarded(this.reportError, "deferred task", run, task);
      return;
    }
    this.outboxSets.push(task);
    this.outboxValues.push(undefined);
  }

  // ---- object observers -------------------------------------------------------------------------

  addObjectObserver(descriptor: ObjectDescriptor, sink: StateSink): ObjectEntry {
    return this.operation(() => {
      const entry = this.acquireObject(descriptor);
      entry.observers = withMember(entry.observers, sink);
      entry.refs++;
      this.tellDenial(entry, "observe", sink);
      this.reconcile(entry);
      this.watcher?.objectInterestChanged(entry);
      return entry;
    });
  }

  removeObjectObserver(entry: ObjectEntry, sink: StateSink): void {
    const observers = withoutMember(entry.observers, sink);
    if (observers === entry.observers) return;
    entry.observers = observers;
    this.operation(() => {
      entry.refs--;
      this.reconcile(entry);
      this.watcher?.objectInterestChanged(entry);
      this.releaseObject(entry);
    });
  }

  // ---- object exposers --------------------------------------------------------------------------

  addObjectExposer(descriptor: ObjectDescriptor, exposer: Exposer): ObjectEntry {
    return this.operation(() => {
      const entry = this.acquireObject(descriptor);
      entry.exposers = withMember(entry.exposers, exposer);
      entry.refs++;
      this.tellDenial(entry, "expose", exposer);
      this.offer(entry, exposer);
      this.watcher?.objectInterestChanged(entry);
      return entry;
    });
  }

  removeObjectExposer(entry: ObjectEntry, exposer: Exposer): void {
    const exposers = withoutMember(entry.exposers, exposer);
    if (exposers === entry.exposers) return;
    entry.exposers = exposers;
    this.operation(() => {
      entry.refs--;
      if (entry.assignee === exposer) this.unassign(entry);
      this.reconcile(entry);
      this.watcher?.objectInterestChanged(entry);
      this.releaseObject(entry);
    });
  }

  // ---- tag observers and exposers ---------------------------------------------------------------

  addTagObserver(descriptor: TagDescriptor, sink: TagSink): TagEntry {
    return this.operation(() => {
      const tag = this.acquireTag(descriptor);
      tag.observers.add(sink);
      this.tellDenial(tag, "observe", sink);
      for (const entry of tag.objects) this.reconcile(entry);
      this.watcher?.tagInterestChanged(tag);
      return tag;
    });
  }

  removeTagObserver(tag: TagEntry, sink: TagSink): void {
    if (!tag.observers.delete(sink)) return;
    this.operation(() => {
      for (const entry of tag.objects) this.reconcile(entry);
      this.watcher?.tagInterestChanged(tag);
      this.releaseTag(tag);
    });
  }

  addTagExposer(descriptor: TagDescriptor, exposer: Exposer): TagEntry {
    return this.operation(() => {
      const tag = this.acquireTag(descriptor);
      tag.exposers.add(exposer);
      this.tellDenial(tag, "expose", exposer);
      // Unserved objects first, so moves are judged against the load the new exposer really has.
      for (const entry of tag.objects) if (entry.assignee === undefined) this.reconcile(entry);
      for (const entry of tag.objects) if (entry.assignee !== undefined) this.offer(entry, exposer);
      this.watcher?.tagInterestChanged(tag);
      return tag;
    });
  }

  removeTagExposer(tag: TagEntry, exposer: Exposer): void {
    if (!tag.exposers.delete(exposer)) return;
    this.operation(() => {
      for (const entry of [...exposer.assignedEntries]) {
        if (entry.isCandidate(exposer)) continue; // still a candidate through another tag or the object
        this.unassign(entry);
        this.reconcile(entry);
      }
      this.watcher?.tagInterestChanged(tag);
      this.releaseTag(tag);
    });
  }

  // ---- links ------------------------------------------------------------------------------------

  /** Keeps an object in existence without observing or exposing it (a link that announced or opened it). */
  retain(descriptor: ObjectDescriptor): ObjectEntry {
    return this.operation(() => {
      const entry = this.acquireObject(descriptor);
      entry.refs++;
      this.reconcile(entry);
      this.watcher?.objectInterestChanged(entry);
      return entry;
    });
  }

  /** Undoes one retain(). */
  release(entry: ObjectEntry): void {
    this.operation(() => {
      entry.refs--;
      this.watcher?.objectInterestChanged(entry);
      this.releaseObject(entry);
    });
  }

  /** Runs the election for `entry` again (its authority's view of it changed). */
  reelect(entry: ObjectEntry): void {
    this.operation(() => {
      if (this.objects.get(entry.key) === entry) this.reconcile(entry);
    });
  }

  /** Runs every election again (the authority changed: a parent took over or was lost). */
  reelectAll(): void {
    this.operation(() => {
      for (const entry of this.objects.values()) this.reconcile(entry);
    });
  }

  /**
   * Records the newest version known to exist elsewhere; new default versions will order after it. Only
   * for what an authority says (the parent's decisions): a peer's claim of what it holds must never move
   * the floor, or one made-up version would push every later version of the object out of reach.
   * `epoch` is the election the version belongs to: the floor counts only within it.
   */
  raiseVersionFloor(entry: ObjectEntry, version: Version, epoch: number): void {
    const floor = entry.versionFloor;
    if (floor === undefined || floor.epoch !== epoch || compareVersions(version, floor.version) > 0) entry.versionFloor = { version, epoch };
  }

  // ---- access ------------------------------------------------------------------------------------

  /**
   * Records that a parent denied this subtree `access` to `subject` (`error`), or granted it again
   * (undefined), and tells the participants concerned: its observers for observe, its exposers for
   * expose (and those that join while it lasts). A denial also goes to the node's error reports.
   */
  setAccess(subject: ObjectEntry | TagEntry, access: "observe" | "expose", error: AccessDeniedError | undefined): void {
    const held = this.denials.get(subject);
    if (held?.[access] === error) return;
    if (error !== undefined) this.denials.set(subject, { ...held, [access]: error });
    else if (held !== undefined) {
      const rest: Denials = access === "observe" ? { expose: held.expose } : { observe: held.observe };
      if (rest.observe === undefined && rest.expose === undefined) this.denials.delete(subject);
      else this.denials.set(subject, rest);
    }
    this.operation(() => {
      for (const participant of participantsOf(subject, access)) participant.accessChanged?.(access, error);
      if (error !== undefined) this.defer(() => this.reportError(error, `${access} ${subject.descriptor.toString()}`));
    });
  }

  /** Tells `participant`, joining `subject` for `access`, of a denial in force. */
  private tellDenial(subject: ObjectEntry | TagEntry, access: "observe" | "expose", participant: AccessWatcher): void {
    if (this.denials.size === 0) return;
    const error = this.denials.get(subject)?.[access];
    if (error !== undefined) participant.accessChanged?.(access, error);
  }

  // ---- state ------------------------------------------------------------------------------------

  /**
   * Makes `state` the object's latest state if `exposer` is its elected exposer, the state belongs to the
   * current election (its epoch is the entry's) and it is newer than the latest state of that election
   * (a state of an earlier election is superseded whatever its version). Returns whether it was taken.
   */
  publish(entry: ObjectEntry, exposer: Exposer, state: ObjectState<unknown>): boolean {
    if (entry.assignee !== exposer || epochOf(state) !== entry.epoch) return false;
    const current = entry.state;
    if (current !== undefined && epochOf(current) === entry.epoch && compareVersions(state.version, current.version) <= 0) return false;
    this.update(entry, state);
    return true;
  }

  /**
   * Makes `state` the object's latest state if `exposer` is its elected exposer, even when it orders
   * before the current one: for a stand-in relaying the state the parent's elected exposer made, which
   * is the object's latest by the parent's decision. (After a partition, the exposer this subtree elected
   * meanwhile may have made versions the parent's exposer, its clock behind, will not reach for a while.)
   * Returns whether it was taken.
   */
  adopt(entry: ObjectEntry, exposer: Exposer, state: ObjectState<unknown>): boolean {
    if (entry.assignee !== exposer) return false;
    this.update(entry, state);
    return true;
  }

  /**
   * The one rule by which `exposer` hands the object a state it holds, used by contracts and by both ends
   * of a link: the version (of the same election) already held only sets its synchronized flag (no update
   * is counted and observers see no new data); any other state is `"published"` (taken only if newer in
   * the election in force: a contract's value, a parent taking its child's states) or `"adopted"` (taken
   * whatever its order: a child taking its parent's, whose election decides which state is the latest).
   */
  take(entry: ObjectEntry, exposer: Exposer, state: ObjectState<unknown>, as: "published" | "adopted"): void {
    const current = entry.state;
    if (current !== undefined && isStateOf(current, state.version, epochOf(state))) this.setSynchronized(entry, exposer, state.synchronized);
    else if (as === "published") this.publish(entry, exposer, state);
    else this.adopt(entry, exposer, state);
  }

  /** Marks the object's state as not backed by its exposer any more (observers see synchronized=false). */
  desynchronize(entry: ObjectEntry, exposer: Exposer): void {
    if (entry.assignee !== exposer) return;
    this.markUnsynchronized(entry);
  }

  /** Sets only the synchronized flag of the current state (a link relaying its exposer's flag). */
  setSynchronized(entry: ObjectEntry, exposer: Exposer, synchronized: boolean): void {
    const state = entry.state;
    if (entry.assignee !== exposer || state === undefined || state.synchronized === synchronized) return;
    this.setState(entry, withSynchronized(state, synchronized));
  }

  /** Makes a new state current: counted as an update of the object (see ObjectEntry.updates). */
  private update(entry: ObjectEntry, state: ObjectState<unknown>): void {
    entry.updates++;
    this.updates++;
    this.setState(entry, state);
  }

  /**
   * Makes `state` current and tells every observer. A newer state published from inside a callback is
   * delivered to everyone by that nested call, so this one stops: observers may skip a superseded state
   * but never see states out of order.
   */
  private setState(entry: ObjectEntry, state: ObjectState<unknown>): void {
    entry.state = state;
    const observers = entry.observers;
    for (let i = 0, n = memberCount(observers); i < n; i++) {
      memberAt(observers, i).stateChanged(entry);
      if (entry.state !== state) return;
    }
    for (const tag of entry.tags) {
      for (const sink of tag.observers) {
        sink.stateChanged(entry);
        if (entry.state !== state) return;
      }
    }
  }

  private markUnsynchronized(entry: ObjectEntry): void {
    const state = entry.state;
    if (state === undefined || !state.synchronized) return;
    this.setState(entry, withSynchronized(state, false));
  }

  // ---- election ---------------------------------------------------------------------------------

  /** Brings `entry`'s assignment in line with its observers, its candidates and the authority. */
  private reconcile(entry: ObjectEntry): void {
    const assignee = entry.assignee;
    if (!entry.observed) {
      if (assignee) this.unassign(entry);
      return;
    }
    const elsewhere = this.authority?.electedElsewhere(entry);
    if (elsewhere !== undefined) {
      if (assignee === elsewhere) {
        entry.epoch = this.authority!.epochOf(entry) ?? entry.epoch;
        return elsewhere.observersChanged?.(entry);
      }
      if (assignee) this.unassign(entry);
      this.assign(entry, elsewhere);
      return;
    }
    if (assignee) {
      if (entry.isCandidate(assignee)) {
        this.followEpoch(entry, assignee);
        return assignee.observersChanged?.(entry);
      }
      this.unassign(entry);
    }
    const elected = electExposer(entry);
    if (elected) this.assign(entry, elected);
  }

  /**
   * A new candidate for `entry`: elect one if there is no exposer, or, when moving to the newcomer would
   * pay, move the object to the best candidate (the newcomer, or a peer that an earlier move just unloaded).
   */
  private offer(entry: ObjectEntry, candidate: Exposer): void {
    const assignee = entry.assignee;
    if (assignee === undefined) this.reconcile(entry);
    else if (entry.isCandidate(assignee) && candidate.mayExpose?.(entry) !== false && shouldMove(assignee, candidate)) {
      this.move(entry, electExposer(entry) ?? candidate);
    }
  }

  /**
   * The parent started a new epoch for `entry` and kept this subtree's exposer: the state it published
   * carries over into the new epoch (this node vouched for it), and the exposer is told.
   */
  private followEpoch(entry: ObjectEntry, assignee: Exposer): void {
    const epoch = this.authority?.epochOf(entry);
    if (epoch === undefined || epoch === entry.epoch) return;
    const state = entry.state;
    const carried = state !== undefined && epochOf(state) === entry.epoch;
    entry.epoch = epoch;
    if (carried) this.setState(entry, { ...state, epoch });
    assignee.epochChanged?.(entry);
  }

  /**
   * Elects `exposer` for `entry` in a new epoch: the parent's, while it decides, else one past every
   * epoch this node knows of the object.
   */
  private assign(entry: ObjectEntry, exposer: Exposer): void {
    const state = entry.state;
    entry.epoch = this.authority?.epochOf(entry) ?? Math.max(entry.epoch, state === undefined ? 0 : epochOf(state)) + 1;
    entry.assignee = exposer;
    exposer.assignedEntries.add(entry);
    const watcher = this.electionWatcher;
    if (watcher !== undefined) {
      const from = this.vacated.get(entry);
      if (from === undefined) watcher.elected(entry, exposer);
      else {
        this.vacated.delete(entry);
        if (from !== exposer) watcher.handedOver(entry, from, exposer);
      }
    }
    exposer.electedFor(entry);
  }

  /** Takes `entry` from its exposer; that exposer may then take over one object from an overloaded peer. */
  private unassign(entry: ObjectEntry): void {
    const exposer = this.detach(entry);
    if (exposer) this.refill(exposer, entry);
  }

  /** Moves `entry` to a less loaded exposer; each move lowers the imbalance, so chains of refills end. */
  private move(entry: ObjectEntry, to: Exposer): void {
    const from = this.detach(entry);
    this.assign(entry, to);
    if (from) this.refill(from, entry);
  }

  private detach(entry: ObjectEntry): Exposer | undefined {
    const exposer = entry.assignee;
    if (!exposer) return undefined;
    entry.assignee = undefined;
    exposer.assignedEntries.delete(entry);
    if (this.electionWatcher !== undefined && !this.vacated.has(entry)) this.vacated.set(entry, exposer);
    this.markUnsynchronized(entry);
    exposer.releasedFrom(entry);
    return exposer;
  }

  /**
   * `exposer` just lost `released`. If a peer exposing one of the same tags is now loaded past the
   * threshold relative to it, one object moves over: each release shifts the balance by one object, so
   * one move keeps it within the threshold, at a cost independent of the number of objects.
   */
  private refill(exposer: Exposer, released: ObjectEntry): void {
    for (const tag of released.tags) {
      if (!tag.exposers.has(exposer)) continue;
      for (const peer of tag.exposers) {
        if (!shouldMove(peer, exposer)) continue;
        for (const entry of peer.assignedEntries) {
          if (entry !== released && entry.isCandidate(exposer)) {
            this.move(entry, exposer);
            return;
          }
        }
      }
    }
  }

  // ---- existence --------------------------------------------------------------------------------

  private acquireObject(descriptor: ObjectDescriptor): ObjectEntry {
    const existing = this.objects.get(descriptor.key);
    if (existing) return existing;
    const tags = this.tagEntriesOf(descriptor);
    const entry = new ObjectEntry(descriptor, tags);
    this.objects.set(descriptor.key, entry);
    for (const tag of tags) {
      tag.objects.add(entry);
      for (const sink of tag.observers) sink.objectAdded(entry);
    }
    return entry;
  }

  private releaseObject(entry: ObjectEntry): void {
    if (entry.refs > 0) return;
    this.objects.delete(entry.key);
    for (const tag of entry.tags) {
      tag.objects.delete(entry);
      for (const sink of tag.observers) sink.objectRemoved(entry);
      for (const exposer of tag.exposers) exposer.objectRemoved?.(entry);
    }
    entry.state = undefined; // nothing to desynchronize: the object is gone
    if (this.denials.size > 0) this.denials.delete(entry);
    this.unassign(entry);
    for (const tag of entry.tags) this.releaseTag(tag);
  }

  /**
   * The entries of `descriptor`'s tags (made if needed), in its tag order. Objects with the same tags
   * share one list, as their descriptors share one tag list: a list each would cost memory per object.
   * A remembered list is used only while every entry in it is still the live one for its tag. Objects
   * of one tag (or none) share the tag entry's own list, whatever their descriptors share.
   */
  private tagEntriesOf(descriptor: ObjectDescriptor): readonly TagEntry[] {
    const tags = descriptor.tags;
    if (tags.length === 0) return NO_TAGS;
    if (tags.length === 1) return this.acquireTag(tags[0]!).alone;
    const known = this.tagLists.get(tags);
    if (known !== undefined && known.every((entry) => this.tags.get(entry.key) === entry)) return known;
    const entries = Object.freeze(tags.map((tag) => this.acquireTag(tag)));
    this.tagLists.set(tags, entries);
    return entries;
  }

  private acquireTag(descriptor: TagDescriptor): TagEntry {
    let tag = this.tags.get(descriptor.key);
    if (!tag) {
      tag = new TagEntry(descriptor);
      this.tags.set(descriptor.key, tag);
    }
    return tag;
  }

  private releaseTag(tag: TagEntry): void {
    if (!tag.unused) return;
    this.tags.delete(tag.key);
    if (this.denials.size > 0) this.denials.delete(tag);
  }

  // ---- deferred delivery ------------------------------------------------------------------------

  /** Runs one exchange operation: events it causes reach application code when the outermost one ends. */
  private operation<T>(body: () => T): T {
    this.depth++;
    try {
      return body();
    } finally {
      if (--this.depth === 0) {
        if (this.vacated.size > 0) this.reportReleases();
        if (this.outboxSets.length > 0) this.flush();
      }
    }
  }

  /** Tells the election watcher of the objects the operation left without the exposer they had. */
  private reportReleases(): void {
    const watcher = this.electionWatcher;
    for (const [entry, from] of this.vacated) watcher?.released(entry, from);
    this.vacated.clear();
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    const sets = this.outboxSets;
    const values = this.outboxValues;
    try {
      for (let i = 0; i < sets.length; i++) {
        const target = sets[i]!;
        if (typeof target === "function") callGuarded(this.reportError, "deferred task", run, target);
        else target.emit(values[i]);
      }
    } finally {
      sets.length = 0;
      values.length = 0;
      this.flushing = false;
    }
  }
}

/** The denials in force for one object or tag. */
interface Denials {
  readonly observe?: AccessDeniedError | undefined;
  readonly expose?: AccessDeniedError | undefined;
}

/** Who is told of a change of `access` to `subject`. */
function participantsOf(subject: ObjectEntry | TagEntry, access: "observe" | "expose"): AccessWatcher[] {
  if (subject instanceof TagEntry) return [...(access === "observe" ? subject.observers : subject.exposers)];
  const list = access === "observe" ? subject.observers : subject.exposers;
  const members: AccessWatcher[] = [];
  for (let i = 0, n = memberCount(list); i < n; i++) members.push(memberAt(list, i));
  return members;
}

function run(task: () => void): void {
  task();
}

/** The tag list of every object without tags. */
const NO_TAGS: readonly TagEntry[] = Object.freeze([]);
