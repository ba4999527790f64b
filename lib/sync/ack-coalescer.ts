/** An object side that has an acknowledgement waiting to go. */
export interface AckOwner {
  /** Sends the newest acknowledgement recorded since the last flush. */
  flushAck(): void;
}

/**
 * Sends acknowledgements once per object per burst of inbound messages: states that arrive together
 * (one carrier message carries many frames) are answered by one cumulative ack for the newest, which
 * the sender takes as covering every state before it. One microtask per burst, not one ack per state.
 */
export class AckCoalescer {
  private pending = new Set<AckOwner>();
  private scheduled = false;
  private readonly flushNow = (): void => {
    this.scheduled = false;
    const owners = this.pending;
    this.pending = new Set();
    for (const owner of owners) owner.flushAck();
  };

  /** `owner` has an ack to send; it goes once the current burst has been processed. */
  add(owner: AckOwner): void {
    this.pending.add(owner);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushNow);
    }
  }
}
