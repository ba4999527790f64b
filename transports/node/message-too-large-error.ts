import { CarrierError } from "../carrier-error.js";

/**
 * The peer sent a WebSocket message larger than this end accepts (`maxPayload`); the connection is
 * closed (code 1009) without reading the rest. hakuban's `listen` and `connect` set `maxPayload` to the
 * binding's `maxMessageBytes`, so the message could not have been a valid one for this end's limits.
 */
export class MessageTooLargeError extends CarrierError {
  readonly code = "MESSAGE_TOO_LARGE";

  /** The largest message accepted, in bytes. */
  readonly maxPayload: number;

  constructor(maxPayload: number, options?: { cause?: unknown }) {
    super(
      `the peer sent a WebSocket message larger than the max payload of ${maxPayload} bytes (maxPayload), so it was not read. ` +
        "Both ends of a link must use the same binding limits (mux.limits); a hakuban peer never sends more than those allow.",
      options,
    );
    this.maxPayload = maxPayload;
  }
}
