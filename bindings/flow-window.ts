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
 * Bytes a reader takes before it answers with a receipt: a constant of the wire, not an option, so
 * that the two sides of a connection need not agree on their windows (a sender's window only has to
 * leave room for one receipt's worth of bytes to be in flight while the previous receipt travels).
 */
export const RECEIPT_BYTES = 16 * 1024;

/** The smallest window a sender may keep: two receipts' worth, so receipts always come before it stalls. */
export const MIN_FLOW_WINDOW_BYTES = 2 * RECEIPT_BYTES;

/**
 * A connection's flow window, counted in the bytes of frames (headers and payloads; receipts
 * themselves are not counted): the sending side counts what it queued, the receiving side what it
 * took from the carrier and handed to its consumer, and answers with a receipt every RECEIPT_BYTES.
 * The sender's `unacknowledged` is what is in flight or waiting in buffers on either end; a layer above
 * holds its own sends back while it is over `windowBytes`. The window is the sender's own choice (at
 * least MIN_FLOW_WINDOW_BYTES); the two sides need not agree on it.
 */
export class FlowWindow {
  readonly windowBytes: number;
  #unacknowledged = 0;
  #unreceipted = 0;

  /** Throws BindingOptionsError unless `windowBytes` is a whole number of bytes from MIN_FLOW_WINDOW_BYTES to MAX_VARUINT. */
  constructor(windowBytes: number = DEFAULT_FLOW_WINDOW_BYTES) {
    if (!Number.isInteger(windowBytes) || windowBytes < MIN_FLOW_WINDOW_BYTES || windowBytes > MAX_VARUINT) {
      throw new BindingOptionsError(
        `flowWindowBytes must be an integer from ${MIN_FLOW_WINDOW_BYTES} to ${MAX_VARUINT}, got ${String(windowBytes)}.`,
      );
    }
    this.windowBytes = windowBytes;
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
   * of a receipt frame), or undefined while less than RECEIPT_BYTES wait for one.
   */
  received(bytes: number): Uint8Array | undefined {
    const unreceipted = this.#unreceipted + bytes;
    if (unreceipted < RECEIPT_BYTES) {
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
