import { CarrierAlreadyAttachedError } from "./carrier-already-attached-error.js";
import type { CarrierCloseEvent, CarrierHandlers } from "./carrier.js";

/**
 * The receiving half every carrier shares: it holds messages (and the close event) that arrive
 * before `attach()`, hands them over in order afterwards, guarantees the close handler fires exactly
 * once and after every message, and turns a throwing message handler into a carrier failure instead
 * of a crashed event loop.
 */
export class CarrierInbox {
  readonly #peer: string;
  readonly #fail: (error: Error) => void;
  #handlers: CarrierHandlers | undefined;
  #pending: Uint8Array[] = [];
  #pendingHead = 0;
  #closeEvent: CarrierCloseEvent | undefined;
  #closeDelivered = false;
  #drainScheduled = false;

  /**
   * @param peer used in error messages.
   * @param fail called when the consumer's message handler throws; the carrier should close with that error.
   */
  constructor(peer: string, fail: (error: Error) => void) {
    this.#peer = peer;
    this.#fail = fail;
  }

  /** True once `end()` was called: no further message is accepted. */
  get ended(): boolean {
    return this.#closeEvent !== undefined;
  }

  /** Registers the single consumer; anything received earlier is delivered in a microtask. */
  attach(handlers: CarrierHandlers): void {
    if (this.#handlers !== undefined) throw new CarrierAlreadyAttachedError(this.#peer);
    this.#handlers = handlers;
    if (this.#pendingHead < this.#pending.length || this.#closeEvent !== undefined) this.#scheduleDrain();
  }

  /**
   * Hands one received message to the consumer, directly when nothing is queued ahead of it.
   * Call it from event-loop callbacks, never from inside the consumer's own calls.
   */
  message(bytes: Uint8Array): void {
    if (this.#closeEvent !== undefined) return;
    if (this.#handlers !== undefined && !this.#drainScheduled && this.#pendingHead === this.#pending.length) {
      this.#dispatch(this.#handlers, bytes);
      return;
    }
    this.#pending.push(bytes);
    if (this.#handlers !== undefined) this.#scheduleDrain();
  }

  /**
   * Ends the inbox: the close handler fires once, asynchronously, after the queued messages
   * (or instead of them when `discardPending`, e.g. for a local close). Later calls are ignored.
   */
  end(event: CarrierCloseEvent, discardPending: boolean): void {
    if (this.#closeEvent !== undefined) return;
    this.#closeEvent = event;
    if (discardPending) this.#clearPending();
    if (this.#handlers !== undefined) this.#scheduleDrain();
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    queueMicrotask(() => this.#drain());
  }

  #drain(): void {
    this.#drainScheduled = false;
    const handlers = this.#handlers;
    if (handlers === undefined) return;
    while (this.#pendingHead < this.#pending.length) {
      const bytes = this.#pending[this.#pendingHead] as Uint8Array;
      this.#pending[this.#pendingHead++] = EMPTY;
      this.#dispatch(handlers, bytes);
    }
    this.#clearPending();
    const event = this.#closeEvent;
    if (event !== undefined && !this.#closeDelivered) {
      this.#closeDelivered = true;
      handlers.close(event);
    }
  }

  #dispatch(handlers: CarrierHandlers, bytes: Uint8Array): void {
    try {
      handlers.message(bytes);
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #clearPending(): void {
    this.#pending.length = 0;
    this.#pendingHead = 0;
  }
}

const EMPTY = new Uint8Array(0);
