import { CodecError } from "../lib/choreography/errors.js";
import { BindingOptionsError } from "./binding-options-error.js";
import { MAX_VARUINT, readVarUint, varUintSize, writeVarUint } from "./varint.js";

/**
 * Default bytes one side may have sent and not had receipted: enough for a few hundred small states
 * per round trip on a fast link, small enough that a receiver that falls behind costs kilobytes of
 * socket buffers, not megabytes, so what waits for it is the latest state of each object (held back
 * by the sync layer), never a queue.
 */
export const DEFAULT_FLOW_WINDOW_BYTES = 64 * 1024;

/**
 * A connection's flow window, counted in the bytes of frames (headers and payloads; receipts
 * themselves are not counted): the sending side counts what it queued, the receiving side what it
 * took from the carrier and handed to its consumer, and answers with a receipt once that reaches a
 * quarter of the window. The sender's `unacknowledged` is what is in flight or waiting in buffers on
 * either end; a layer above holds its own sends back while it is over `windowBytes`. Both sides must use
 * the same window: a receiver receipts in quarters of its own, so a sender with a window below that
 * would wait for receipts that never come.
 */
export class FlowWindow {
  readonly windowBytes: number;
  readonly #receiptBytes: number;
  #unacknowledged = 0;
  #unreceipted = 0;

  /** Throws BindingOptionsError unless `windowBytes` is a whole number of bytes from 4 to MAX_VARUINT. */
  constructor(windowBytes: number = DEFAULT_FLOW_WINDOW_BYTES) {
    if (!Number.isInteger(windowBytes) || windowBytes < 4 || windowBytes > MAX_VARUINT) {
      throw new BindingOptionsError(`flowWindowBytes must be an integer from 4 to ${MAX_VARUINT}, got ${String(windowBytes)}.`);
    }
    this.windowBytes = windowBytes;
    this.#receiptBytes = Math.floor(windowBytes / 4);
  }

  /** Bytes sent (or queued to be) that the peer has not receipted yet. */
  get unacknowledged(): number {
    return this.#unacknowledged;
  }

  /** This side queued a frame of `bytes`. */
  sent(bytes: number): void {
    this.#unacknowledged += bytes;
  }

  /**
   * This side handed frames of `bytes` to its consumer; returns the receipt to send now (the payload
   * of a receipt frame), or undefined while less than a quarter of the window waits for one.
   */
  received(bytes: number): Uint8Array | undefined {
    const unreceipted = this.#unreceipted + bytes;
    if (unreceipted < this.#receiptBytes) {
      this.#unreceipted = unreceipted;
      return undefined;
    }
    this.#unreceipted = 0;
    const receipt = new Uint8Array(varUintSize(unreceipted));
    writeVarUint(receipt, 0, unreceipted);
    return receipt;
  }

  /**
   * Takes the peer's receipt `payload`. Throws a CodecError for one that is not a single varint of at
   * least one byte, or that receipts more than this side sent (a peer that lies about what it read).
   */
  receipted(payload: Uint8Array): void {
    const cursor = { bytes: payload, pos: 0 };
    const bytes = readVarUint(cursor);
    if (cursor.pos !== payload.length || bytes === 0) {
      throw new CodecError(`Malformed receipt: its payload must be one varint of at least 1 byte, got ${payload.length} bytes.`);
    }
    if (bytes > this.#unacknowledged) {
      throw new CodecError(`A receipt for ${bytes} bytes came when only ${this.#unacknowledged} were sent and not receipted.`);
    }
    this.#unacknowledged -= bytes;
  }
}
