import { CarrierError } from "./carrier-error.js";

/**
 * Thrown by `Carrier.attach` when the carrier already has a consumer: a carrier has exactly one
 * owner, so a second one would silently steal or split its messages.
 */
export class CarrierAlreadyAttachedError extends CarrierError {
  readonly code = "CARRIER_ALREADY_ATTACHED";

  /** The peer the carrier is connected to. */
  readonly peer: string;

  constructor(peer: string) {
    super(
      `The carrier to ${peer} already has a consumer: attach() may be called only once per carrier. ` +
        "Hand the carrier to a single owner and let it fan messages out if several parts need them.",
    );
    this.peer = peer;
  }
}
