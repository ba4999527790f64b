/**
 * What a link tells its node's monitor when asked: figures since the link was made (the monitor turns
 * them into rates, and adds a closed link's into the node's totals). `listen` and `connect` register
 * one per link with the node's monitor; nothing is counted twice and nothing is asked between samples.
 */
export interface LinkSample {
  /** The peer's node name, once its handshake told it. */
  readonly name: string | null;
  /** The last round trip measured on the link's keep-alive, in milliseconds. */
  readonly roundTripMs: number | null;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Bytes waiting to be sent now. */
  readonly queuedBytes: number;
}

/** A child link's sample. */
export interface ChildLinkSample extends LinkSample {
  readonly principal: string | null;
  /** The child's address as the listener names it. */
  readonly address: string;
  /** Objects the child's subtree observes through this link. */
  readonly observed: number;
  /** Objects whose elected exposer is in the child's subtree. */
  readonly exposed: number;
}

/** The upstream's sample: its figures add up over every connection it made. */
export interface UpstreamSample extends LinkSample {
  readonly url: string;
  readonly status: "connecting" | "connected" | "disconnected" | "closed";
  readonly lastError: string | null;
}

/** A link registered with a monitor. */
export interface LinkRegistration {
  /** The link's id in snapshots (LinkSnapshotBase.id), unique for the node's lifetime. */
  readonly id: number;
  /** The link ended: its last sample is added to the node's totals and it leaves the snapshots. */
  remove(): void;
}
