import { CarrierError } from "../carrier-error.js";

/** A listener could not start, most often because the address is taken or not available here. */
export class ListenError extends CarrierError {
  readonly code = "LISTEN_FAILED";

  /** The address the listener tried to bind, "host:port". */
  readonly address: string;

  constructor(address: string, reason: string, options?: { cause?: unknown }) {
    super(
      `Could not listen on ${address}: ${reason}. ` +
        "Pick a free port (0 lets the system choose) or stop the process that holds this one.",
      options,
    );
    this.address = address;
  }
}
