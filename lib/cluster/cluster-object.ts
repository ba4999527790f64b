import { OneEntrySet } from "../exchange/entry-set.js";
import { memberAt, memberCount } from "../exchange/member-list.js";
import type { Exchange } from "../exchange/exchange.js";
import type { ObjectEntry } from "../exchange/object-entry.js";
import type { Exposer, ExposerPlace, StateSink } from "../exchange/participants.js";
import { epochOf, type ObjectState } from "../state/object-state.js";
import { compareVersions } from "../state/version.js";
import type { LeaseHolding } from "./lease-store.js";
import type { StateFollower } from "./state-follower.js";
import type { StatePublisher } from "./state-publisher.js";

const CLUSTER_PLACE: ExposerPlace = Object.freeze({ kind: "upstream" });

/** What a member's subtree wants of an object, as last reported to the cluster. */
export interface LocalInterest {
  readonly observed: boolean;
  /** The summed capacity of the candidates that could expose the object here (0: none). */
  readonly capacity: number;
}

/**
 * One object as a cluster member takes part in it. While another member holds the object's lease it
 * is the stand-in exposer here (the holder's states arrive through it, as a parent link's do); while
 * this member holds it, it observes the object here and hands each state to the cluster.
 */
export class ClusterObject implements Exposer, StateSink {
  readonly id: number;
  readonly capacity = 0;
  readonly assignedEntries = new OneEntrySet();
  /** The lease in force as last seen; undefined while nobody holds it or it is not known yet. */
  holding: LeaseHolding | undefined;
  /** Whether the lease was looked up since the member (re)connected to Redis. */
  known = false;
  /** What this subtree wants of the object, as reported to the cluster. */
  reported: LocalInterest = NO_INTEREST;
  /** Whether the object is listed under its tags for this member (see TagDirectory). */
  listed = false;
  /** The latest state taken from the cluster (the holder's), kept for when this stand-in is elected. */
  held: ObjectState<unknown> | undefined;
  /** Whether this member observes the object here to hand its states to the cluster (while it holds the lease). */
  observing = false;
  /** Whether this member listens to the object's channel. */
  subscribed = false;
  /** An evaluation of the object is running / another one was asked for meanwhile. */
  evaluating = false;
  evaluateAgain = false;
  /** Hands a state to the cluster; set by the member. */
  onState: (state: ObjectState<unknown>) => void = () => {};
  /** Sends this member's states while it holds the lease (one publisher per holding). */
  publisher: StatePublisher | undefined;
  /** Takes the holder's states from the object's channel while another member holds the lease; set by the member. */
  follower: StateFollower | undefined;

  constructor(
    private readonly exchange: Exchange,
    readonly entry: ObjectEntry,
    /** The member (its id, which changes when it joins anew), to tell its own holdings from others'. */
    private readonly member: { readonly id: string },
  ) {
    this.id = exchange.nextId();
  }

  /** The cluster's side of the tree, for introspection. */
  get place(): ExposerPlace {
    return CLUSTER_PLACE;
  }

  /** Whether this member holds the object's lease (as last seen). */
  get mine(): boolean {
    return this.holding?.holder === this.member.id;
  }

  /** What this subtree itself does with the object (this member's own observation left out). */
  localInterest(): LocalInterest {
    const entry = this.entry;
    if (this.exchange.objects.get(entry.key) !== entry) return NO_INTEREST;
    const observed = entry.observedBeyond((sink) => sink === this);
    return { observed, capacity: capacityFor(entry, this) };
  }

  // ---- as the stand-in exposer ----------------------------------------------------------------------

  electedFor(): void {
    if (this.held !== undefined) this.exchange.take(this.entry, this, this.held, "adopted");
  }

  releasedFrom(): void {}

  /**
   * A state from the cluster. One of an epoch older than the lease in force is a former holder's and is
   * refused; one the stand-in already holds or that orders before it in the same epoch is ignored.
   * Returns whether it was taken.
   */
  receive(state: ObjectState<unknown>): boolean {
    const epoch = epochOf(state);
    if (this.holding !== undefined && epoch < this.holding.epoch) return false;
    const held = this.held;
    if (held !== undefined && epoch < epochOf(held)) return false;
    if (held !== undefined && epoch === epochOf(held)) {
      const order = compareVersions(state.version, held.version);
      if (order < 0 || (order === 0 && state.synchronized === held.synchronized)) return false;
    }
    this.held = state;
    if (this.entry.assignee === this) this.exchange.take(this.entry, this, state, "adopted");
    return true;
  }

  /** Hands the latest state taken from the cluster to the node again (it is the new holder's: see ClusterMember.follow). */
  retake(): void {
    if (this.held !== undefined && this.entry.assignee === this) this.exchange.take(this.entry, this, this.held, "adopted");
  }

  /** The holder is gone or changed: observers here keep the data, marked as not backed by an exposer. */
  desynchronize(): void {
    this.exchange.desynchronize(this.entry, this);
  }

  // ---- as the observer handing states to the cluster ------------------------------------------------

  stateChanged(): void {
    const state = this.entry.state;
    const holding = this.holding;
    if (state === undefined || holding === undefined || !this.mine || epochOf(state) !== holding.epoch) return;
    this.onState(state);
  }
}

/** No interest: what a member reports when its subtree neither observes nor can expose an object. */
export const NO_INTEREST: LocalInterest = Object.freeze({ observed: false, capacity: 0 });

/** The summed capacity of the candidates other than `standIn` that could expose `entry` here (each counted once). */
function capacityFor(entry: ObjectEntry, standIn: Exposer): number {
  const counted = new Set<Exposer>();
  const count = (exposer: Exposer) => {
    if (exposer !== standIn && exposer.capacity > 0 && exposer.mayExpose?.(entry) !== false) counted.add(exposer);
  };
  const exposers = entry.exposers;
  for (let i = 0, n = memberCount(exposers); i < n; i++) count(memberAt(exposers, i));
  for (const tag of entry.tags) for (const exposer of tag.exposers) count(exposer);
  let capacity = 0;
  for (const exposer of counted) capacity += exposer.capacity;
  return capacity;
}
