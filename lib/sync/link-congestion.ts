import { LinkLimitError } from "./link-limit-error.js";
import type { LinkLimits } from "./link-limits.js";

/** What a link can see of the bytes queued toward its peer: a binding's mux (its batch plus the carrier's buffer). */
export interface OutboundQueue {
  readonly bufferedAmount: number;
}

/** A sender that a congested link holds back, and flushes once the link drained. */
export interface HeldSender {
  flush(): void;
}

/** What a LinkCongestion tells its link. */
export interface CongestionEvents {
  /** The queue went over `queueBytes`: senders are held back from now on. */
  congested(queued: number): void;
  /** The link must close: its queue reached `maxQueueBytes`, or stayed congested for `maxCongestedMs`. */
  overLimit(error: LinkLimitError): void;
}

/** How often a congested link looks at its queue (no carrier tells when it drained). */
export const CONGESTION_POLL_MS = 10;

/**
 * Keeps what one link queues toward a peer that reads slowly, or not at all, bounded. While the bytes
 * queued stay at most `queueBytes`, senders send as they come; above it the link is congested: each
 * object's sender keeps only its latest state (coalesced) until the queue is down to half of
 * `queueBytes`, then every held sender sends that latest state. A queue at `maxQueueBytes`, or a link
 * congested for `maxCongestedMs` without draining, closes the link. A timer runs only while congested.
 */
export class LinkCongestion {
  private congestedSince: number | undefined;
  private held = new Set<HeldSender>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private failed = false;

  constructor(
    private readonly queue: OutboundQueue,
    private readonly limits: LinkLimits,
    private readonly events: CongestionEvents,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `sender` must wait (the link is congested); if so, it is flushed once the link drained. */
  holdsBack(sender: HeldSender): boolean {
    if (this.congestedSince === undefined || this.failed) return false;
    this.held.add(sender);
    return true;
  }

  /** `sender` has nothing more to send (its object's session ended). */
  forget(sender: HeldSender): void {
    this.held.delete(sender);
  }

  /**
   * Looks at the queue, as the link does after each state it sends and each request it answers: starts
   * congestion over `queueBytes`, closes the link at `maxQueueBytes`.
   */
  check(): void {
    if (this.failed) return;
    const queued = this.queue.bufferedAmount;
    if (this.overflows(queued) || this.congestedSince !== undefined || queued <= this.limits.queueBytes) return;
    this.congestedSince = this.now();
    this.timer = setInterval(() => this.poll(), CONGESTION_POLL_MS);
    (this.timer as { unref?: () => void }).unref?.();
    this.events.congested(queued);
  }

  /** The link ended: no timer is left, and nothing is flushed any more. */
  stop(): void {
    this.failed = true;
    this.release();
  }

  private poll(): void {
    const queued = this.queue.bufferedAmount;
    if (this.overflows(queued)) return;
    if (queued <= this.limits.queueBytes / 2) {
      this.drain();
    } else {
      const congestedMs = this.now() - this.congestedSince!;
      if (congestedMs > this.limits.maxCongestedMs) {
        this.fail("maxCongestedMs", this.limits.maxCongestedMs, `the child read too little for ${congestedMs} ms (${bytes(queued)} still queued)`);
      }
    }
  }

  /** Closes the link if `queued` bytes reach maxQueueBytes; says whether it did. */
  private overflows(queued: number): boolean {
    if (queued < this.limits.maxQueueBytes) return false;
    this.fail("maxQueueBytes", this.limits.maxQueueBytes, `${bytes(queued)} were queued toward the child`);
    return true;
  }

  /** The queue is down: every held sender sends its latest state (and may congest the link again). */
  private drain(): void {
    const held = this.release();
    for (const sender of held) sender.flush();
  }

  /** Ends the congestion: stops the timer and hands over the held senders. */
  private release(): Set<HeldSender> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.congestedSince = undefined;
    const held = this.held;
    this.held = new Set();
    return held;
  }

  private fail(limit: "maxQueueBytes" | "maxCongestedMs", value: number, what: string): void {
    this.stop();
    this.events.overLimit(new LinkLimitError(limit, value, what));
  }
}

/** "1,234,567 bytes". */
function bytes(count: number): string {
  return `${count.toLocaleString("en-US")} bytes`;
}
