/**
 * A connection as the runtime sees it: the table of its open sessions, the rules for session ids, and
 * the single consumer of its SessionMux. Sessions are only ever opened by announcements the endpoints
 * check, so which frames belong to a live session, to one that ended, or to none is decided here.
 *
 * Session ids: 0 is the connection's first session; every other id is announced by one side, and the
 * ids each side announces increase. So an id at or below the highest announced one that is not open
 * belongs to a session that ended (its late frames are dropped), and the table of ended ids that a
 * long-lived connection would otherwise grow is two numbers.
 */
import { SessionFault } from "./errors.js";
import type { Endpoint } from "./endpoint.js";
import type { TapRing } from "./tap-ring.js";
import type { SessionMux, SessionMuxHandlers } from "./wire.js";

/** @internal What the sessions of one connection share; created by createEndpoint. */
export class Connection implements SessionMuxHandlers {
  /** Open sessions by id. */
  readonly sessions = new Map<number, Endpoint>();
  /** The highest session id this side announced (0: none yet). */
  private highestOwn = 0;
  /** The highest session id the peer announced (0: none yet). */
  private highestPeer = 0;
  private ended = false;

  constructor(
    readonly mux: SessionMux,
    /** Where endpoints record events; null: no recording. */
    readonly tap: TapRing | null,
    /** Validate outbound payloads too. */
    readonly checkOutbound: boolean,
  ) {}

  /**
   * Why session `id`, announced by this side (`byPeer` false) or the peer, may not open ("which ..."), or
   * undefined when it may. The ids one side announces must increase, so a session id is never reused.
   */
  refusal(id: number, byPeer: boolean): string | undefined {
    if (this.ended) return "cannot open: the connection has ended";
    if (this.sessions.has(id)) return "is already open on this connection; session ids are never reused";
    const highest = byPeer ? this.highestPeer : this.highestOwn;
    if (id <= highest) return `is not above session ${highest}, announced before by the same side; the ids one side announces increase, so none is reused`;
    return undefined;
  }

  /** Records an admitted session (its id passed `refusal`). */
  admit(endpoint: Endpoint, byPeer: boolean): void {
    this.sessions.set(endpoint.session, endpoint);
    if (endpoint.session === 0) return;
    if (byPeer) this.highestPeer = endpoint.session;
    else this.highestOwn = endpoint.session;
  }

  // ---- SessionMuxHandlers --------------------------------------------------------------------------

  receive(session: number, lane: number, label: number, payload: unknown): void {
    const endpoint = this.sessions.get(session);
    if (endpoint !== undefined) {
      try {
        endpoint.receiveFromWire(lane, label, payload);
      } catch (error) {
        // Endpoints report their faults themselves; whatever escapes is a bug that ends only this session.
        endpoint.fail(error instanceof Error ? error : new SessionFault(`session ${session} failed: ${String(error)}`));
      }
      return;
    }
    if (session <= this.highestOwn || session <= this.highestPeer) return; // a late frame of a session that ended here
    throw new SessionFault(
      `the peer sent a frame for session ${session}, which was never announced on this connection ` +
        "(sessions must be announced before use); closing the connection",
    );
  }

  sessionEnded(session: number, error: Error | undefined): void {
    this.sessions.get(session)?.closeFromWire(error);
  }

  closed(error: Error | undefined): void {
    this.ended = true;
    for (const endpoint of [...this.sessions.values()]) endpoint.closeFromWire(error);
  }
}
