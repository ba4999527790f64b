import type { AckPayload } from "./object-session.js";

/** An object side of a link that acknowledges the states it receives. */
export interface AckOwner {
  /** Sends `ack` (the newest of those merged since its last one went) on the object's session. */
  sendAck(ack: AckPayload): void;
}

/**
 * Merges the acknowledgements a link sends within one turn. States are not acknowledged one by one
 * (the link's flow window paces the sender); an acknowledgement goes only to ask for a full state
 * (`resync`), when a state could not be applied. A burst of states that all miss their base (every
 * diff after the first one missed builds on it) asks once per object: the owner's newest ack goes
 * after the current turn, together with every other owner's.
 */
export class AckCoalescer {
  /** Owners with an ack waiting, and the newest one each: a map only while some wait (most links never ask). */
  private pending: Map<AckOwner, AckPayload> | undefined;
  private closed = false;

  /** `owner` answers a state with `ack`, which replaces any of its acks still waiting; it goes after this turn. */
  add(owner: AckOwner, ack: AckPayload): void {
    if (this.closed) return;
    if (this.pending !== undefined) {
      this.pending.set(owner, ack);
      return;
    }
    this.pending = new Map([[owner, ack]]);
    queueMicrotask(() => this.flush());
  }

  /** Sends the acks waiting. */
  private flush(): void {
    const owners = this.pending;
    this.pending = undefined;
    if (owners === undefined) return;
    for (const [owner, ack] of owners) owner.sendAck(ack);
  }

  /** The link ended: waiting acks are dropped. */
  close(): void {
    this.closed = true;
    this.pending = undefined;
  }
}
