import { LinkLimitError } from "./link-limit-error.js";
import type { LinkLimits } from "./link-limits.js";

/**
 * What a link can see of the bytes it sends toward its peer: a binding's mux (its batch, the carrier's
 * buffer, and its flow window of bytes sent and not yet receipted by the peer).
 */
export interface OutboundQueue {
  /** Bytes queued toward the peer and not written out yet (the batch and the carrier's buffer). */
  readonly bufferedAmount: number;
  /** Bytes sent (or queued) that the peer has not receipted: in flight, or waiting in a buffer on either end. */
  readonly unacknowledgedBytes: number;
  /** Above this many unreceipted bytes the link holds its senders back. */
  readonly flowWindowBytes: number;
  /** Calls `handler` after each receipt from the peer. */
  onReceipt(handler: () => void): void;
}

/** A sender that a congested link holds back, and flushes once the link has room. */
export interface HeldSender {
  flush(): void;
}

/** What a LinkCongestion tells its link (a link that is told nothing only holds its senders back). */
export interface CongestionEvents {
  /**
   * The link has been congested for `congestedMs` (a slow reader, not a burst that drains at once):
   * `queued` bytes are waiting here and `unreceipted` were sent and not receipted. Once per congestion.
   */
  congested(queued: number, unreceipted: number, congestedMs: number): void;
  /** The link must close: its queue reached `maxQueueBytes`, or stayed congested for `maxCongestedMs`. */
  overLimit(error: LinkLimitError): void;
}

/** How often a congested link looks at its queue (no carrier tells when it drained). */
export const CONGESTION_POLL_MS = 10;
/** A congestion this long (or half of maxCongestedMs, if shorter) is a slow reader's, and told: bursts drain sooner. */
export const SLOW_READER_MS = 1000;

/**
 * Keeps what one link sends toward a peer that reads slowly, or not at all, bounded, and lets a link
 * that reads fast go flat out. The link is congested while more than the flow window was sent and not
 * receipted by the peer (TCP-like, at the application level: bytes in flight bound the queues in the
 * sockets on both ends), or while more than `queueBytes` wait here to be written (one large state).
 * While congested, each object's sender keeps only its latest state (coalesced); once a receipt brings
 * the link back under its window (at once, as the receipt arrives) and the queue is down to half of
 * `queueBytes` (seen by a poll every CONGESTION_POLL_MS: no carrier tells when it drained), every held
 * sender sends its latest state. A link given CongestionEvents is also closed when its queue reaches
 * `maxQueueBytes` or it stays congested for `maxCongestedMs`, and a congestion that lasts
 * (SLOW_READER_MS) is told once, so a slow reader that keeps its link open is seen in the logs; a link
 * given none only holds back. The poll timer runs only while the link congests.
 */
export class LinkCongestion {
  private congestedSince: number | undefined;
  /** The current congestion was told (it lasted). */
  private told = false;
  /** The senders held back, made at the first (most links never congest). */
  private held: Set<HeldSender> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private failed = false;

  constructor(
    private readonly queue: OutboundQueue,
    private readonly limits: LinkLimits,
    private readonly events: CongestionEvents | undefined,
    private readonly now: () => number = Date.now,
  ) {
    queue.onReceipt(() => this.receipted());
  }

  /** Whether `sender` must wait (the link is congested); if so, it is flushed once the link has room. */
  holdsBack(sender: HeldSender): boolean {
    if (this.congestedSince === undefined || this.failed) return false;
    (this.held ??= new Set()).add(sender);
    return true;
  }

  /** `sender` has nothing more to send (its object's session ended). */
  forget(sender: HeldSender): void {
    this.held?.delete(sender);
  }

  /**
   * Looks at the link, as it does after each state it sends and each request it answers: starts
   * congestion over the flow window or `queueBytes`, closes the link at `maxQueueBytes`.
   */
  check(): void {
    if (this.failed) return;
    const queued = this.queue.bufferedAmount;
    if (this.overflows(queued) || this.congestedSince !== undefined) return;
    if (queued <= this.limits.queueBytes && this.queue.unacknowledgedBytes <= this.queue.flowWindowBytes) return;
    this.congestedSince = this.now();
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.poll(), CONGESTION_POLL_MS);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** The link ended: no timer is left, and nothing is flushed any more. */
  stop(): void {
    this.failed = true;
    this.stopPolling();
    this.release();
  }

  /** Whether held senders may send again: the link is under its window and its queue down to half. */
  private get hasRoom(): boolean {
    return this.queue.unacknowledgedBytes <= this.queue.flowWindowBytes && this.queue.bufferedAmount <= this.limits.queueBytes / 2;
  }

  /** A receipt came: a link it brings back under its window sends at once, not at the next poll. */
  private receipted(): void {
    if (this.congestedSince !== undefined && !this.failed && this.hasRoom) this.drain();
  }

  /**
   * Every CONGESTION_POLL_MS from the first congestion until a poll finds none: a link going flat out
   * congests and drains many times a second, and keeps one timer meanwhile.
   */
  private poll(): void {
    const since = this.congestedSince;
    if (since === undefined) {
      this.stopPolling();
      return;
    }
    const queued = this.queue.bufferedAmount;
    if (this.overflows(queued)) return;
    if (this.hasRoom) {
      this.drain();
      return;
    }
    const events = this.events;
    if (events === undefined) return;
    const congestedMs = this.now() - since;
    const { maxCongestedMs } = this.limits;
    const unreceipted = this.queue.unacknowledgedBytes;
    if (congestedMs > maxCongestedMs) {
      this.fail(
        "maxCongestedMs",
        maxCongestedMs,
        `the child read too little for ${congestedMs} ms (${bytes(queued)} still queued, ${bytes(unreceipted)} not receipted)`,
      );
    } else if (!this.told && congestedMs >= Math.min(SLOW_READER_MS, maxCongestedMs / 2)) {
      this.told = true;
      events.congested(queued, unreceipted, congestedMs);
    }
  }

  /** Closes the link if `queued` bytes reach maxQueueBytes (only a link told of its congestion); says whether it did. */
  private overflows(queued: number): boolean {
    if (this.events === undefined || queued < this.limits.maxQueueBytes) return false;
    this.fail("maxQueueBytes", this.limits.maxQueueBytes, `${bytes(queued)} were queued toward the child`);
    return true;
  }

  /** The link has room: every held sender sends its latest state (and may congest the link again). */
  private drain(): void {
    const held = this.release();
    if (held !== undefined) for (const sender of held) sender.flush();
  }

  /** Ends the congestion and hands over the held senders. */
  private release(): Set<HeldSender> | undefined {
    this.congestedSince = undefined;
    this.told = false;
    const held = this.held;
    this.held = undefined;
    return held;
  }

  private stopPolling(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private fail(limit: "maxQueueBytes" | "maxCongestedMs", value: number, what: string): void {
    this.stop();
    this.events?.overLimit(new LinkLimitError(limit, value, what));
  }
}

/** "1,234,567 bytes". */
function bytes(count: number): string {
  return `${count.toLocaleString("en-US")} bytes`;
}
