/**
 * The fields of a session that most sessions never need, made on first use: a connection may carry very
 * many sessions (a link keeps one per object), and each would otherwise pay for them.
 */
import type { Endpoint } from "./endpoint.js";

/** Something told when a session ends: a function, or an object with `sessionEnded` (no closure per session). */
export type SessionEndListener = ((error: Error | undefined) => void) | { sessionEnded(error: Error | undefined): void };

/** An onSession handler as the endpoint stores it (typed by the family where it is registered). */
export type AnySessionHandler = (session: Endpoint, announcement: unknown) => void;

/** A session's rarely used fields. */
export class SessionExtras {
  /** The fault that ended the session, if one did. */
  fault: Error | undefined = undefined;
  /** onSession handlers by family name. */
  sessionHandlers: Map<string, AnySessionHandler> | undefined = undefined;
  closedPromise: Promise<Error | undefined> | undefined = undefined;
  resolveClosed: ((error: Error | undefined) => void) | undefined = undefined;
  /** onEnd listeners after the first (which the session holds itself). */
  moreEndListeners: SessionEndListener[] | undefined = undefined;
}
