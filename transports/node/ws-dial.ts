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
  /** How to verify a `wss://` server; the system's trusted CAs by default. */
  readonly tls?: DialTls;
}

/** How a dial verifies a `wss://` server's certificate. Verification is never turned off. */
export interface DialTls {
  /**
   * The certificate authorities to trust instead of the system's (PEM text), e.g. the private CA of a
   * self-hosted router or of a test.
   */
  readonly ca: string | Uint8Array | readonly (string | Uint8Array)[];
}

/**
 * Dials a WebSocket URL from Node with `ws` and resolves with the open carrier; rejects with
 * ConnectError like `dialWebSocket`, with `httpStatus` set when the server answered the upgrade with
 * a plain HTTP response (a web server, not a WebSocket endpoint). Compression is left to the layers
 * above (permessage-deflate is off).
 */
export function dialWs(url: string, options: DialWsOptions = {}): Promise<Carrier> {
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  const socketOptions = {
    maxPayload,
    perMessageDeflate: false,
    ...(options.tls === undefined ? {} : { ca: pemList(options.tls.ca) }),
  };
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
    if (answeredWith !== undefined) {
      throw new ConnectError(url, `the server answered the WebSocket upgrade with HTTP ${answeredWith} instead of switching protocols`, {
        cause: error,
        httpStatus: answeredWith,
      });
    }
    throw tlsFailure(url, error) ?? error;
  });
}

/** PEM texts as TLS takes them. */
function pemList(ca: DialTls["ca"]): string[] {
  return (Array.isArray(ca) ? ca : [ca]).map((each: string | Uint8Array) => (typeof each === "string" ? each : new TextDecoder().decode(each)));
}

/**
 * A ConnectError saying what to do when the dial failed on TLS: a `wss://` server whose certificate is
 * not trusted, or a `ws://` dial that a TLS server hung up on. Undefined for any other failure.
 */
function tlsFailure(url: string, error: unknown): ConnectError | undefined {
  const cause = error instanceof ConnectError ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string") return undefined;
  const message = cause instanceof Error ? cause.message : code;
  if (url.startsWith("wss:") && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT/.test(code)) {
    return new ConnectError(
      url,
      `the server's TLS certificate is not trusted (${code}: ${message}); if a private CA signed it, pass that CA with { tls: { ca } }`,
      { cause: error },
    );
  }
  if (url.startsWith("ws:") && (code === "ECONNRESET" || code === "HPE_INVALID_CONSTANT")) {
    return new ConnectError(url, `the server hung up on the WebSocket upgrade (${message}); if it serves TLS, dial wss:// instead`, { cause: error });
  }
  return undefined;
}
