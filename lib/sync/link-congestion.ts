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
  /**
   * The link has been congested for `congestedMs` (a slow reader, not a burst that drains at once):
   * `queued` bytes are waiting. Once per congestion.
   */
  congested(queued: number, congestedMs: number): void;
  /** The link must close: its queue reached `maxQueueBytes`, or stayed congested for `maxCongestedMs`. */
  overLimit(error: LinkLimitError): void;
}

/** How often a congested link looks at its queue (no carrier tells when it drained). */
export const CONGESTION_POLL_MS = 10;
/** A congestion this long (or half of maxCongestedMs, if shorter) is a slow reader's, and told: bursts drain sooner. */
export const SLOW_READER_MS = 1000;

/**
 * Keeps what one link queues toward a peer that reads slowly, or not at all, bounded. While the bytes
 * queued stay at most `queueBytes`, senders send as they come; above it the link is congested: each
 * object's sender keeps only its latest state (coalesced) until the queue is down to half of
 * `queueBytes`, then every held sender sends that latest state. A queue at `maxQueueBytes`, or a link
 * congested for `maxCongestedMs` without draining, closes the link. A timer runs only while congested.
 * A congestion that lasts (SLOW_READER_MS) is told once, so a slow reader that keeps its link open is
 * seen in the logs; the bursts of an honest link (a sync of many objects) drain before that.
 */
export class LinkCongestion {
  private congestedSince: number | undefined;
  /** The current congestion was told (it lasted). */
  private told = false;
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
      const { maxCongestedMs } = this.limits;
      if (congestedMs > maxCongestedMs) {
        this.fail("maxCongestedMs", maxCongestedMs, `the child read too little for ${congestedMs} ms (${bytes(queued)} still queued)`);
      } else if (!this.told && congestedMs >= Math.min(SLOW_READER_MS, maxCongestedMs / 2)) {
        this.told = true;
        this.events.congested(queued, congestedMs);
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
    this.told = false;
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
