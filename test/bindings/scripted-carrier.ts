import type { Carrier, CarrierHandlers } from "../../transports/carrier.js";

/**
 * A carrier driven by the test itself: inbound messages are handed to the consumer synchronously, so a
 * test can see whether the consumer's handler throws; outbound messages are recorded.
 */
export class ScriptedCarrier implements Carrier {
  readonly peer = "scripted";
  readonly sent: Uint8Array[] = [];
  bufferedAmount = 0;
  closeReason: string | undefined;
  #handlers: CarrierHandlers | undefined;

  get state(): "open" | "closed" {
    return this.closeReason === undefined ? "open" : "closed";
  }

  attach(handlers: CarrierHandlers): void {
    if (this.#handlers !== undefined) throw new Error("attached twice");
    this.#handlers = handlers;
  }

  send(bytes: Uint8Array): void {
    if (this.closeReason !== undefined) throw new Error("send on a closed scripted carrier");
    this.sent.push(bytes.slice());
  }

  close(reason = "closed"): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    this.#handlers?.close({ reason, byPeer: false });
  }

  /** Delivers one inbound message; throws if the consumer's handler throws. */
  deliver(bytes: Uint8Array): void {
    if (this.closeReason !== undefined) return;
    (this.#handlers as CarrierHandlers).message(bytes);
  }

  /** The peer went away. */
  closeByPeer(reason: string, error?: Error): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    this.#handlers?.close(error === undefined ? { reason, byPeer: true } : { reason, byPeer: true, error });
  }
}
