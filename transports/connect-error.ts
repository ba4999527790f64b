import { CarrierError } from "./carrier-error.js";

/** A dial did not produce an open carrier: the peer refused, was unreachable, or did not answer in time. */
export class ConnectError extends CarrierError {
  readonly code = "CONNECT_FAILED";

  /** Where the dial went. */
  readonly url: string;

  /**
   * The HTTP status the server answered the WebSocket upgrade with instead of 101 (e.g. 404 from a
   * web server at that address). Only dialers that can see it set it: `dialWs` does, a browser's
   * WebSocket hides it.
   */
  readonly httpStatus: number | undefined;

  constructor(url: string, reason: string, options?: { cause?: unknown; httpStatus?: number }) {
    super(
      `Could not connect to ${url}: ${reason}. ` +
        "Check that a hakuban listener runs at that address and is reachable from here.",
      options,
    );
    this.url = url;
    this.httpStatus = options?.httpStatus;
  }
}
