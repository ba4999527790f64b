/**
 * Base class of every error a transport throws or closes a carrier with; `code` is stable for programs
 * and logs. Transports are the bottom layer, so this base imports nothing.
 */
export abstract class CarrierError extends Error {
  /** Stable identifier of the kind of failure, e.g. "CARRIER_CLOSED". */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
