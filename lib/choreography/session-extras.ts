/**
 * The fields of a session that most sessions never need, made on first use: a connection may carry very
 * many sessions (a link keeps one per object), and each would otherwise pay for them.
 */
import type { Endpoint } from "./endpoint.js";
import type { RoleProgram } from "./role-program.js";

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
  /**
   * What the session's row in the connection's table held when the session ended and gave the row
   * back: an ended session still answers for its id, program, parent, status, lane uses and position.
   */
  ended: EndedRow | undefined = undefined;
}

/** A copy of an ended session's row (see SessionTable). */
export interface EndedRow {
  readonly session: number;
  readonly program: RoleProgram;
  readonly parent: Endpoint | undefined;
  readonly status: number;
  /** The lane used, USE_NONE or USE_MANY. */
  use: number;
  /** The lanes' states. */
  readonly position: Int32Array;
}
