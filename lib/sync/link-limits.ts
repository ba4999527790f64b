import { resolveLimits } from "../descriptor/resolve-limits.js";

/**
 * What one child may make its parent hold, and how much the parent queues toward it. A parent applies
 * them to each child link on its own (interest flows up, so a leaf's flood would otherwise grow every
 * router above it): what it holds for a link is bounded by these limits times the size of a descriptor.
 * Over `maxObjects`, `maxTags` or `maxDescriptorLength` the request is refused (an Open's session is
 * ended with the reason, a tag interest is ignored) and the link stays; over the others the link is closed.
 */
export interface LinkLimits {
  /** Object sessions the child may have open at once; one Open more is refused. */
  readonly maxObjects: number;
  /** Tags the child may report interest in at once; a tag interest more is ignored. */
  readonly maxTags: number;
  /**
   * Characters of canonical descriptor keys (of its objects and tags together) the child may have the
   * parent hold; an Open or tag interest over it is refused. It bounds what large descriptors cost,
   * which `maxObjects` alone would allow by the hundred thousand (a key may have 16 Ki characters).
   */
  readonly maxDescriptorLength: number;
  /**
   * Opens and new tag interests per second, on average, before the link is closed. A child may make
   * `maxObjects` + `maxTags` of them at once (a reconnecting child replays all of its interests in one
   * burst); the allowance refills at this rate. Refused requests do not count.
   */
  readonly opensPerSecond: number;
  /**
   * Bytes queued toward the child (the binding's batch and the carrier's buffer) above which the link
   * is congested: each object's sender keeps only its latest state and sends it once the queue is down
   * to half this, so a slow reader costs the latest state per object, never a backlog.
   */
  readonly queueBytes: number;
  /** Bytes queued toward the child at which the link is closed (what coalescing cannot hold back: decisions, answers). */
  readonly maxQueueBytes: number;
  /** Milliseconds a link may stay congested without its queue going down to half of `queueBytes` before it is closed. */
  readonly maxCongestedMs: number;
}

/**
 * Defaults: 200,000 objects (twice the largest subtree the benchmarks carry through one link), 10,000
 * tags, 64 Mi characters of descriptor keys, 1,000 opens per second, congested over 1 MiB queued, closed at
 * 64 MiB queued (above one largest state, 16 MiB) or after 30 s of congestion.
 */
export const DEFAULT_LINK_LIMITS: LinkLimits = Object.freeze({
  maxObjects: 200_000,
  maxTags: 10_000,
  maxDescriptorLength: 64 * 1024 * 1024,
  opensPerSecond: 1_000,
  queueBytes: 1024 * 1024,
  maxQueueBytes: 64 * 1024 * 1024,
  maxCongestedMs: 30_000,
});

/**
 * Completes `limits` with DEFAULT_LINK_LIMITS. Throws InvalidLimitsError for a limit that is not a
 * positive whole number, and RangeError when `maxQueueBytes` is not above `queueBytes`.
 */
export function resolveLinkLimits(limits?: Partial<LinkLimits>): LinkLimits {
  const resolved = resolveLimits(DEFAULT_LINK_LIMITS, limits);
  if (resolved.maxQueueBytes <= resolved.queueBytes) {
    throw new RangeError(
      `Link limit maxQueueBytes (${resolved.maxQueueBytes}) must be above queueBytes (${resolved.queueBytes}): ` +
        "a congested link keeps queueing decisions and answers until it drains.",
    );
  }
  return resolved;
}

/** A child's request refused over one of its link's limits, or its link congested: what `listen` logs. */
export interface LinkLimitEvent {
  /** Which limit. */
  readonly limit: keyof LinkLimits;
  /** Its value on this link. */
  readonly value: number;
  /** What happened, e.g. `refused the Open of {"json":…}: 1,000 object sessions are open`. */
  readonly what: string;
}
