import type { AccessDeniedError } from "./access-denied-error.js";
import type { EntrySet } from "./entry-set.js";
import type { ObjectEntry } from "./object-entry.js";
import type { TagEntry } from "./tag-entry.js";

/**
 * The exchange deals in participants, not in contracts: a local contract is one, and a link to another
 * node (a whole subtree) will be one too. That is what lets one election serve a node and a tree.
 */

/**
 * Told when a parent denies this node's subtree an access (`error`) or grants it again (undefined), so
 * the contract concerned can say so: an observer of the observe access, an exposer of the expose one.
 */
export interface AccessWatcher {
  accessChanged?(access: "observe" | "expose", error: AccessDeniedError | undefined): void;
}

/** Something that needs an object's state: an object-observe contract, or a link whose side observes it. */
export interface StateSink extends AccessWatcher {
  stateChanged(entry: ObjectEntry): void;
}

/** Something that observes every object carrying a tag: a tag-observe contract or a link. */
export interface TagSink extends AccessWatcher {
  /** An object carrying the tag came into existence. */
  objectAdded(entry: ObjectEntry): void;
  stateChanged(entry: ObjectEntry): void;
  /** The object is gone from this node's view (called before its entry is dropped). */
  objectRemoved(entry: ObjectEntry): void;
}

/**
 * A candidate to expose objects: an object-expose or tag-expose contract, or a link whose subtree has
 * exposers. The exchange owns `assignedEntries`; its size is the candidate's load.
 */
export interface Exposer extends AccessWatcher {
  /** Creation order; breaks ties so elections are deterministic. */
  readonly id: number;
  /** Relative weight for load balancing: with capacities 1 and 3, loads split 1:3. */
  readonly capacity: number;
  /** Entries currently assigned to this candidate (maintained by the exchange only). */
  readonly assignedEntries: EntrySet;
  /** Called after the exchange elected this candidate to expose `entry`. */
  electedFor(entry: ObjectEntry): void;
  /** Called after the exchange took `entry` away from this candidate. */
  releasedFrom(entry: ObjectEntry): void;
  /**
   * Called on the elected exposer when the authority started a new epoch for `entry` while keeping it
   * elected (a parent's new decision): a link tells its child the new epoch.
   */
  epochChanged?(entry: ObjectEntry): void;
  /** Called on the elected exposer when the object's observers changed (a link uses it to know who needs data). */
  observersChanged?(entry: ObjectEntry): void;
  /**
   * Called on the candidates by tag when an object carrying the tag is gone from this node's view (before
   * its entry is dropped), so one that holds something per object (a tag exposer's data) drops it too.
   * The same notice as TagSink's: a participant in both roles gets it once per role.
   */
  objectRemoved?(entry: ObjectEntry): void;
  /**
   * Whether this candidate may be elected for `entry` (absent: it may). A link to a child whose grants
   * do not allow exposing the object answers false: its capacity counts as zero there.
   */
  mayExpose?(entry: ObjectEntry): boolean;
  /** Where the candidate is, for introspection; absent for a contract of this node. */
  readonly place?: ExposerPlace;
}

/**
 * Where a candidate that is not a contract of this node is: a child link (its `link` is the link's own
 * record, whose id and name its monitor registration fills in), or the parent's side of the tree.
 */
export type ExposerPlace =
  | { readonly kind: "link"; readonly link: { readonly id: number | undefined; readonly name: string | undefined } }
  | { readonly kind: "upstream" };

/**
 * Decides which objects this node may elect an exposer for. A node linked to a parent elects only for
 * objects the parent delegated to its subtree; for the others it stands in the returned exposer (the
 * link, through which the data of the exposer elected elsewhere arrives). Without an authority (no
 * parent, or cut off from it) the node elects for everything, as the root of its subtree.
 */
export interface ElectionAuthority {
  /** The stand-in exposer when `entry` is exposed elsewhere; undefined when this node elects for it. */
  electedElsewhere(entry: ObjectEntry): Exposer | undefined;
  /** The epoch of the parent's decision for `entry` (see ObjectState.epoch); undefined while this node elects by itself. */
  epochOf(entry: ObjectEntry): number | undefined;
}

/**
 * Told when what this node's subtree wants of an object or tag changes (observers or exposers came or
 * went), so a link to the parent can report it. Calls happen inside exchange operations: record, do not act.
 */
export interface InterestWatcher {
  objectInterestChanged(entry: ObjectEntry): void;
  tagInterestChanged(tag: TagEntry): void;
}

/**
 * Told of the outcome of elections, for introspection: an object that had no exposer got one, moved
 * from one exposer to another, or was left with none. Calls happen inside exchange operations, once the
 * outcome is known (a release at the end of the operation, when no exposer took the object over):
 * record, do not act.
 */
export interface ElectionWatcher {
  /** `exposer` was elected for `entry`, which had no exposer. */
  elected(entry: ObjectEntry, exposer: Exposer): void;
  /** `entry` moved from `from` to `to`. */
  handedOver(entry: ObjectEntry, from: Exposer, to: Exposer): void;
  /** `from` lost `entry` and no exposer took it over. */
  released(entry: ObjectEntry, from: Exposer): void;
}
