import { CarrierError } from "./carrier-error.js";

/** A dial did not produce an open carrier: the peer refused, was unreachable, or did not answer in time. */
export class ConnectError extends CarrierError {
  readonly code = "CONNECT_FAILED";

  /** Where the dial went. */
  readonly url: string;

  constructor(url: string, reason: string, options?: { cause?: unknown }) {
    super(
      `Could not connect to ${url}: ${reason}. ` +
        "Check that a hakuban listener runs at that address and is reachable from here.",
      options,
    );
    this.url = url;
  }
}
