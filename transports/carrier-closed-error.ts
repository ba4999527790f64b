import { CarrierError } from "./carrier-error.js";

/**
 * Thrown by `Carrier.send` once the carrier is closed, so a sender learns at once that its bytes
 * went nowhere instead of losing them silently.
 */
export class CarrierClosedError extends CarrierError {
  readonly code = "CARRIER_CLOSED";

  /** The peer the carrier was connected to. */
  readonly peer: string;
  /** Why the carrier closed (the close event's reason). */
  readonly reason: string;

  constructor(peer: string, reason: string) {
    super(
      `Cannot send to ${peer}: the carrier is closed (${reason}). ` +
        "Stop sending on it and wait for a new carrier (reconnect) before sending again.",
    );
    this.peer = peer;
    this.reason = reason;
  }
}
