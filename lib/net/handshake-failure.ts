import type { SessionMuxStats } from "../../bindings/session-mux-stats.js";
import { CarrierProtocolError } from "../../transports/carrier-protocol-error.js";
import { ConnectError } from "../../transports/connect-error.js";
import { NotAHakubanListenerError } from "./not-a-hakuban-listener-error.js";

/**
 * Judges a dial that failed: a server that answered the WebSocket upgrade with a plain HTTP response
 * is not a hakuban listener; any other failure (refused, unreachable, timed out) is returned as is.
 */
export function judgeDialFailure(url: string, error: Error): Error {
  if (error instanceof ConnectError && error.httpStatus !== undefined) {
    return new NotAHakubanListenerError(url, `it answered the WebSocket upgrade with HTTP ${error.httpStatus}`, { cause: error });
  }
  return error;
}

/**
 * Judges a connection that ended before the parent's Welcome. A hakuban listener sends nothing before
 * it but its Welcome or Refuse, in binary frames; so a server that broke the carrier's framing, or sent
 * anything at all (what the link then failed on), is not one. A connection that just closed says
 * nothing about the server (a listener shutting down does that too): its error is returned as is.
 */
export function judgeHandshakeFailure(
  url: string,
  error: Error,
  connection: { readonly closeError: Error | undefined; readonly stats: SessionMuxStats },
): Error {
  const violation = findCause(connection.closeError, CarrierProtocolError) ?? findCause(error, CarrierProtocolError);
  if (violation !== undefined) {
    return new NotAHakubanListenerError(url, `it ${violation.violation} (hakuban links carry binary frames only)`, { cause: error });
  }
  if (connection.stats.messagesIn > 0) {
    return new NotAHakubanListenerError(url, `it answered the link's Hello with something else (${error.message})`, { cause: error });
  }
  return error;
}

/** The first error of class `type` in the `cause` chain starting at `error`. */
function findCause<T extends Error>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let depth = 0; error instanceof Error && depth < 8; depth++, error = error.cause) {
    if (error instanceof type) return error;
  }
  return undefined;
}
