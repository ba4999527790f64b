import { CarrierError } from "./carrier-error.js";

/**
 * The peer broke the carrier's framing rules (for example sent a WebSocket text frame where only
 * binary frames are allowed); the carrier closes with this as the close event's error.
 */
export class CarrierProtocolError extends CarrierError {
  readonly code = "CARRIER_PROTOCOL";

  /** The peer that misbehaved. */
  readonly peer: string;

  /** What the peer did, e.g. "sent a text frame". */
  readonly violation: string;

  constructor(peer: string, violation: string) {
    super(
      `${peer} broke the carrier protocol: ${violation}. ` +
        "Hakuban carriers carry binary frames only; check that the peer is a hakuban node of a compatible version.",
    );
    this.peer = peer;
    this.violation = violation;
  }
}
