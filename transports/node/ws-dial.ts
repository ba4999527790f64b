import type { Carrier } from "../carrier.js";
import { ConnectError } from "../connect-error.js";
import { dialWebSocket } from "../websocket-carrier.js";
import { limitedWebSocket } from "./limited-web-socket.js";
import { DEFAULT_MAX_PAYLOAD } from "./ws-listener.js";

/** Options of `dialWs`. */
export interface DialWsOptions {
  /** Give up when the socket is not open after this many milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** Aborts the dial: the promise rejects with ConnectError. */
  readonly signal?: AbortSignal;
  /**
   * Largest accepted message in bytes; a bigger one closes the connection with a MessageTooLargeError
   * before it is buffered (default DEFAULT_MAX_PAYLOAD). hakuban's Node `connect` passes its binding's
   * `maxMessageBytes`, so a parent cannot make it hold more than one valid message.
   */
  readonly maxPayload?: number;
}

/**
 * Dials a WebSocket URL from Node with `ws` and resolves with the open carrier; rejects with
 * ConnectError like `dialWebSocket`, with `httpStatus` set when the server answered the upgrade with
 * a plain HTTP response (a web server, not a WebSocket endpoint). Compression is left to the layers
 * above (permessage-deflate is off).
 */
export function dialWs(url: string, options: DialWsOptions = {}): Promise<Carrier> {
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  const socketOptions = { maxPayload, perMessageDeflate: false };
  const LimitedWebSocket = limitedWebSocket(maxPayload);
  let answeredWith: number | undefined;
  class ConfiguredWebSocket extends LimitedWebSocket {
    constructor(address: string) {
      super(address, socketOptions);
      // Unhandled, ws fails the dial with a bare message; handled, the status is kept and the
      // handshake aborted as ws would have (terminate() while connecting).
      this.once("unexpected-response", (_request, response) => {
        answeredWith = response.statusCode;
        response.resume();
        this.terminate();
      });
    }
  }
  return dialWebSocket(url, {
    WebSocket: ConfiguredWebSocket,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  }).catch((error: unknown) => {
    if (answeredWith === undefined) throw error;
    throw new ConnectError(url, `the server answered the WebSocket upgrade with HTTP ${answeredWith} instead of switching protocols`, {
      cause: error,
      httpStatus: answeredWith,
    });
  });
}
