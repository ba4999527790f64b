import type { AckPayload } from "./object-session.js";
import { STATE_WINDOW } from "./state-sender.js";

/** An object side of a link that acknowledges the states it receives. */
export interface AckOwner {
  /** Sends `ack` (the newest of those merged since its last one went) on the object's session. */
  sendAck(ack: AckPayload): void;
}

/** An owner's ack waiting to go, and how many states it answers. */
interface WaitingAck {
  ack: AckPayload;
  states: number;
}

/**
 * States of one object an acknowledgement may cover before it must go: a quarter of the sender's
 * window, so a sender going flat out gets room back steadily, long before its window fills, and never
 * waits for the timer (half the window measurably slowed a single observer at saturation).
 */
export const ACK_EVERY = STATE_WINDOW / 4;

/**
 * How long an acknowledgement may wait for later states to share it. Acks only open the sender's
 * window and tell it what the receiver holds (its base on a reconnect); neither is urgent, and an
 * object updated 200 times a second would otherwise cost each of its observers 200 messages a second
 * back up the tree, which a router pays for in reads and wake-ups.
 */
export const ACK_DELAY_MS = 40;

/**
 * Delays and merges acknowledgements, like TCP's delayed ack. Every ack is cumulative (the sender takes
 * it as covering every state before it), so an object's states are answered by one ack: after
 * ACK_DELAY_MS, or once ACK_EVERY states are waiting, or at once (after the current burst) when it
 * asks for a full state (`resync`). Whenever acks go, all that wait go together.
 */
export class AckCoalescer {
  /** Owners with an ack waiting. */
  private pending = new Map<AckOwner, WaitingAck>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushQueued = false;
  private closed = false;
  private readonly flushNow = (): void => {
    this.flushQueued = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    const owners = this.pending;
    if (owners.size === 0) return;
    this.pending = new Map();
    for (const [owner, waiting] of owners) owner.sendAck(waiting.ack);
  };

  /** `owner` received a state and answers it with `ack`, which replaces any of its acks still waiting. */
  add(owner: AckOwner, ack: AckPayload): void {
    if (this.closed) return;
    let waiting = this.pending.get(owner);
    if (waiting === undefined) this.pending.set(owner, (waiting = { ack, states: 1 }));
    else {
      waiting.ack = ack;
      waiting.states++;
    }
    if (ack.resync === true || waiting.states >= ACK_EVERY) {
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(this.flushNow);
      }
    } else this.timer ??= setTimeout(this.flushNow, ACK_DELAY_MS);
  }

  /** The link ended: waiting acks are dropped and no timer is left behind. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
