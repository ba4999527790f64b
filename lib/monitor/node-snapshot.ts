import type { ObjectDescriptorJson } from "../descriptor/object-descriptor.js";

/**
 * What a node publishes about itself under its monitor tag (and what `node.snapshot()` returns): plain
 * JSON, so any observer (the inspector page, `hakuban top`, a program) reads it like any other object.
 * Rates are per second over the last refresh interval; totals count since the node started.
 */
export interface NodeSnapshot {
  /** The node's name (LocalNodeOptions.name). */
  readonly node: string;
  /** Random per node instance: tells a restarted node, or two nodes of one name, apart. */
  readonly instance: string;
  /** When this snapshot was taken, in milliseconds since the epoch. */
  readonly at: number;
  /** When the node started, in milliseconds since the epoch. */
  readonly startedAt: number;
  /** Milliseconds between two published snapshots. */
  readonly intervalMs: number;
  /** The link to the parent, or null for a root (a node that never connected). */
  readonly upstream: UpstreamSnapshot | null;
  /** Every child link, handshaking ones included. */
  readonly links: readonly LinkSnapshot[];
  /**
   * The node's objects, the busiest first (by updates per second, then observers), at most the monitor's
   * `maxObjects`; `totals.objects` says how many there are.
   */
  readonly objects: readonly ObjectSnapshot[];
  /** Counts now and totals since start, as the Prometheus metrics show them. */
  readonly totals: NodeTotals;
  /** The most recent events, oldest first, at most the monitor's `maxEvents`. */
  readonly events: readonly MonitorEvent[];
}

/** Traffic of one link in one direction over the last interval. */
export interface TrafficRate {
  readonly messagesPerSecond: number;
  readonly bytesPerSecond: number;
}

/** What a link has in common, whichever side of it this node is. */
export interface LinkSnapshotBase {
  /** Unique among the links this node ever had (ElectedExposer refers to it). */
  readonly id: number;
  /** The peer's node name, once its handshake told it. */
  readonly name: string | null;
  /** When the link was made, in milliseconds since the epoch. */
  readonly since: number;
  /** The last round trip measured on the link's keep-alive, in milliseconds. */
  readonly roundTripMs: number | null;
  /** What this node received from the peer. */
  readonly in: TrafficRate;
  /** What this node sent to the peer. */
  readonly out: TrafficRate;
  /** Bytes waiting to be sent on the link. */
  readonly queuedBytes: number;
}

/** A child's link to this node. */
export interface LinkSnapshot extends LinkSnapshotBase {
  /** The id of the principal the child authenticated as, when the listener authenticates. */
  readonly principal: string | null;
  /** The child's address, as the listener names it (e.g. "ws://127.0.0.1:50312"). */
  readonly address: string;
  /** Objects the child's subtree observes through this link. */
  readonly observed: number;
  /** Objects whose elected exposer is in the child's subtree. */
  readonly exposed: number;
}

/** This node's link to its parent. */
export interface UpstreamSnapshot extends LinkSnapshotBase {
  /** The parent's URL. */
  readonly url: string;
  /** As Upstream.status. */
  readonly status: "connecting" | "connected" | "disconnected" | "closed";
  /** The message of the upstream's last failure, if any. */
  readonly lastError: string | null;
}

/** Who exposes an object, as this node sees it: one of its contracts, a child link's subtree, or the parent's side of the tree. */
export type ElectedExposer =
  | { readonly kind: "contract" }
  | { readonly kind: "link"; readonly link: number; readonly name: string | null }
  | { readonly kind: "upstream" };

/** One object as this node holds it. */
export interface ObjectSnapshot {
  readonly descriptor: ObjectDescriptorJson;
  /** The elected exposer, or null when none is. */
  readonly exposer: ElectedExposer | null;
  /** The current state's version, or null before any state. */
  readonly version: readonly number[] | null;
  /** The current state's election epoch (see ObjectState.epoch), or null before any state. */
  readonly epoch: number | null;
  readonly synchronized: boolean;
  /**
   * Observers here: this node's observe contracts (object and tag), child links that observe it, and the
   * upstream while the parent's side of the tree needs its data.
   */
  readonly observers: number;
  /** Candidates to expose it here: this node's expose contracts and child links with exposers. */
  readonly exposers: number;
  /** New states per second over the last interval. */
  readonly updatesPerSecond: number;
  /** Length of the current state's data as JSON text, or null before any state. */
  readonly stateBytes: number | null;
  /** Bytes of the last diff a link sent for the object (on the state wire), or null when none was sent. */
  readonly diffBytes: number | null;
}

/** Counts now (gauges) and totals since the node started (counters). */
export interface NodeTotals {
  /** Child links open now, handshaking ones included (the upstream is not counted). */
  readonly links: number;
  readonly objects: number;
  readonly tags: number;
  readonly contracts: number;
  /** Bytes queued on every link now. */
  readonly queuedBytes: number;
  /** States that became an object's current state. */
  readonly updates: number;
  /** Exposers elected for an object that had none. */
  readonly elections: number;
  /** Objects moved from one exposer to another. */
  readonly handovers: number;
  /** Connections and links turned away (limits, authentication, origins). */
  readonly refusals: number;
  /** Observe and expose requests a policy denied. */
  readonly denials: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** The kinds of MonitorEvent. */
export type MonitorEventKind = "elected" | "handover" | "released" | "linked" | "unlinked" | "refused" | "denied" | "limit" | "upstream";

/** Something that happened on the node, with why, for the inspector's event log. */
export interface MonitorEvent {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly kind: MonitorEventKind;
  /** One line a person reads, e.g. `"kitchen" elected for ["sensors"] {"id":1}: capacity 1, load 0`. */
  readonly text: string;
  /** The object concerned, if any. */
  readonly descriptor?: ObjectDescriptorJson;
  /** The link concerned, if any (LinkSnapshotBase.id). */
  readonly link?: number;
}
