import type { ObjectEntry } from "./object-entry.js";

/**
 * The exchange deals in participants, not in contracts: a local contract is one, and a link to another
 * node (a whole subtree) will be one too. That is what lets one election serve a node and a tree.
 */

/** Something that needs an object's state: an object-observe contract, or a link whose side observes it. */
export interface StateSink {
  stateChanged(entry: ObjectEntry): void;
}

/** Something that observes every object carrying a tag: a tag-observe contract or a link. */
export interface TagSink {
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
export interface Exposer {
  /** Creation order; breaks ties so elections are deterministic. */
  readonly id: number;
  /** Relative weight for load balancing: with capacities 1 and 3, loads split 1:3. */
  readonly capacity: number;
  /** Entries currently assigned to this candidate (maintained by the exchange only). */
  readonly assignedEntries: Set<ObjectEntry>;
  /** Called after the exchange elected this candidate to expose `entry`. */
  electedFor(entry: ObjectEntry): void;
  /** Called after the exchange took `entry` away from this candidate. */
  releasedFrom(entry: ObjectEntry): void;
}
