/**
 * How one link ends without touching anything else. Both ends of a link use these: a failing send ends
 * its own link only, and a leaving side says goodbye but does not wait for an answer forever.
 */
import type { Endpoint, Event, SendLabel, SendPayload } from "../choreography/index.js";
import { caughtMessage } from "./caught-error.js";

/** What ending a link needs of its control session. */
export interface EndableSession {
  readonly state: "open" | "done" | "faulted";
  readonly closed: Promise<Error | undefined>;
  abort(reason?: string): void;
}

/**
 * Runs a send caused by something else (the exchange, another link, a timer, a flush). If the link is
 * gone the send fails, and that ends this link only: never the operation, or the other link, that caused it.
 */
export function sendOrEnd(session: EndableSession, send: () => void): void {
  try {
    send();
  } catch (error) {
    session.abort(`a send failed: ${caughtMessage(error)}`);
  }
}

/**
 * Leaves: with `sayGoodbye` (this side's closing message, which the peer answers with its own) it waits
 * for the session to end, aborting it if the peer stays silent for `deadAfterMs`; without, it aborts at
 * once with `reason`. Resolves when the session has ended.
 */
export async function leaveLink(
  session: EndableSession,
  sayGoodbye: (() => void) | undefined,
  reason: string,
  silentPeer: string,
  deadAfterMs: number,
): Promise<void> {
  if (sayGoodbye !== undefined && session.state === "open") {
    try {
      sayGoodbye();
    } catch {
      // already ending: closed settles either way
    }
    const timeout = setTimeout(() => session.abort(silentPeer), deadAfterMs);
    await session.closed;
    clearTimeout(timeout);
  } else if (session.state === "open") {
    session.abort(reason);
  }
  await session.closed;
}

/**
 * Sends `label` with `payload` on `lane` of `session` (an object's session, or the control session
 * itself) while that session is open, as a send caused by something else: a failure ends `link` only
 * (see sendOrEnd). Typed by the session's role, so a role sends only its own labels, with their payloads.
 */
export function sendWhileOpen<E extends Event, R extends string, L extends SendLabel<E, R>>(
  link: EndableSession,
  session: Endpoint<E, R>,
  lane: string,
  label: L,
  payload: SendPayload<E, R, L>,
): void {
  if (session.state !== "open") return;
  sendOrEnd(link, () => session.lane(lane).send(label, payload));
}
