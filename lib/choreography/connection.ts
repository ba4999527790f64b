/**
 * A connection as the runtime sees it: the table of its open sessions, the rules for session ids, and
 * the single consumer of its SessionMux. Sessions are only ever opened by announcements the endpoints
 * check, so which frames belong to a live session, to one that ended, or to none is decided here, and a
 * frame for none is a violation that ends the connection: a peer cannot make this side do work for
 * frames nothing takes.
 *
 * Session ids: 0 is the connection's first session; every other id is announced by one side, and the
 * ids each side announces increase, so a session id is never reused and the table of ended ids that a
 * long-lived connection would otherwise grow is two numbers.
 *
 * Admission: a sub-session is admitted here, beside the table it enters, when its announcement is sent
 * or received; the table also knows which sessions announced which, so a session's end ends its
 * sub-sessions. The table is flat (session-table.ts): a session is a row of numbers, its Endpoint a
 * light handle on the row.
 *
 * Ends: each side sends exactly one reset per session end, either to end the session or to answer the
 * peer's, and after it nothing more on that session. So once a session has ended here and the peer's
 * reset for it has arrived, any frame for it is a violation; in between (one round trip), the peer may
 * still send on it, and those frames are dropped unread.
 */
import { AffineViolation, PhaseInvariant, SchemaMismatch, SessionFault } from "./errors.js";
import type { Endpoint } from "./endpoint.js";
import type { MessageSpec } from "./message.js";
import type { RoleProgram } from "./role-program.js";
import { NO_ROW } from "./session-index.js";
import { programSetOf, SessionTable } from "./session-table.js";
import type { TapRing } from "./tap-ring.js";
import type { InboundPayload, SessionMux, SessionMuxHandlers } from "./wire.js";

/**
 * @internal How the peer learns that a session ended here: "reset" — this side ended it, a reset says so
 * (with the fault, if any) and the peer's answer is awaited; "answer" — the peer ended it, a clean reset
 * answers; "none" — nothing is sent (the connection is gone, or the peer ended the parent session, so it
 * has ended this one itself or never opened it).
 */
export type EndNotice = "reset" | "answer" | "none";

/**
 * Sessions that ended here and whose end the peer has not answered may number at most twice the most
 * sessions ever open at once plus this many: an honest peer answers each within a round trip.
 */
const UNANSWERED_SLACK = 1024;

/** The largest session id (a frame header's varint). */
const MAX_SESSION_ID = 0xffff_ffff;

/** @internal What the sessions of one connection share; created by createEndpoint. */
export class Connection implements SessionMuxHandlers {
  /** Open sessions, a row each. */
  readonly table: SessionTable;
  /** How many open sub-sessions session 0 announced or was announced (in most protocols the only session that announces). */
  private rootChildren = 0;
  /** The same for the other sessions, by id (absent: none; made on first use). */
  private children: Map<number, number> | undefined = undefined;
  /** The highest session id this side announced (0: none yet). */
  private highestOwn = 0;
  /** The highest session id the peer announced (0: none yet). */
  private highestPeer = 0;
  private ended = false;
  /** The most sessions open at once so far. */
  private mostOpen = 1;
  /** Sessions that ended here whose end the peer has not answered yet: its frames for them are dropped unread. */
  private unanswered: Set<number> | undefined = undefined;
  /**
   * Of those, the ones the peer announces sub-sessions on, each with the highest id the peer had
   * announced when it ended: the peer may have announced more on it since, which this side never opened
   * and drops frames for, until the peer's answer shows it has ended them.
   */
  private unansweredParents: Map<number, number> | undefined = undefined;
  private overflowing = false;

  constructor(
    readonly mux: SessionMux,
    /** Where endpoints record events; null: no recording. */
    readonly tap: TapRing | null,
    /** Validate outbound payloads too. */
    readonly checkOutbound: boolean,
    /** The program of session 0: its families are the programs of every other session. */
    program: RoleProgram,
  ) {
    this.table = new SessionTable(programSetOf(program));
  }

  /**
   * Admission of the sub-session that `spec`'s announcement `payload` opens, sent (`byPeer` false) or
   * received on lane `lane` of `parent`: its id, or the fault that refuses it (not raised: the parent
   * ends with it). An id must be one a frame header can carry, and above every id the same side
   * announced before, so a session id is never reused.
   */
  admission(parent: Endpoint, lane: number, spec: MessageSpec, payload: unknown, byPeer: boolean): number | SchemaMismatch | AffineViolation {
    let id: number;
    try {
      id = spec.sessionIdOf(payload);
    } catch (error) {
      return new SchemaMismatch(`${spec.label} on ${parent.where(lane)}: its session id could not be read: ${String((error as Error)?.message ?? error)}`, { cause: error });
    }
    if (!Number.isSafeInteger(id) || id < 0 || id > MAX_SESSION_ID) {
      return new SchemaMismatch(`${spec.label} on ${parent.where(lane)} announces session id ${String(id)}; session ids are integers from 0 to ${MAX_SESSION_ID}`);
    }
    const refusal = this.refusal(id, byPeer);
    return refusal === undefined ? id : new AffineViolation(`${spec.label} on ${parent.where(lane)} announces session ${id}, which ${refusal}`);
  }

  /**
   * Records an admitted session, handled by `endpoint`, of `program`: session 0, or a sub-session of
   * `parent` whose id passed `admission`. Returns its row in the table.
   */
  admit(endpoint: Endpoint, program: RoleProgram, id: number, parent: Endpoint | undefined, byPeer: boolean): number {
    const table = this.table;
    const row = table.add(endpoint, program, id, parent === undefined ? NO_ROW : parent.row);
    if (table.size > this.mostOpen) this.mostOpen = table.size;
    if (parent === undefined) return row;
    this.countChildren(parent.session, 1);
    if (byPeer) this.highestPeer = id;
    else this.highestOwn = id;
    return row;
  }

  /**
   * Takes session `endpoint`, which ended here with `fault` (undefined: cleanly), out of the table, ends
   * its open sub-sessions, then tells the peer as `notice` says (so the sub-sessions' resets go first).
   * Sub-sessions end with a reset only when this side ended the session: when the peer did, it had
   * ended every sub-session it knew before (and said so).
   */
  release(endpoint: Endpoint, fault: Error | undefined, notice: EndNotice): void {
    const table = this.table;
    const id = endpoint.session;
    const row = endpoint.row;
    if (table.rowOf(id) === row) table.close(id);
    if (this.childCount(id) > 0) {
      this.countChildren(id, -this.childCount(id));
      // One fault for all of them: a link's session may have 100,000 sub-sessions, and an error each
      // (a stack captured each) would stall the process for seconds when the link drops.
      let childFault: SessionFault | undefined;
      for (const child of table.childrenOf(row)) {
        childFault ??= new SessionFault(`parent session ${id} ended${fault === undefined ? "" : `: ${fault.message}`}`, { cause: fault });
        child.fail(childFault, notice === "reset" ? "reset" : "none");
      }
    }
    const parent = endpoint.parent;
    if (parent !== undefined && this.childCount(parent.session) > 0) this.countChildren(parent.session, -1);
    this.tellPeer(endpoint, notice, fault);
  }

  /** How many open sub-sessions session `id` announced or was announced. */
  private childCount(id: number): number {
    return id === 0 ? this.rootChildren : (this.children?.get(id) ?? 0);
  }

  /** Adds `delta` to session `id`'s count of open sub-sessions (a count of 0 keeps nothing). */
  private countChildren(id: number, delta: number): void {
    if (id === 0) {
      this.rootChildren += delta;
      return;
    }
    const count = this.childCount(id) + delta;
    if (count > 0) (this.children ??= new Map()).set(id, count);
    else this.children?.delete(id);
  }

  /**
   * Why session `id`, announced by this side (`byPeer` false) or the peer, may not open ("which ..."), or
   * undefined when it may.
   */
  private refusal(id: number, byPeer: boolean): string | undefined {
    if (this.ended) return "cannot open: the connection has ended";
    if (this.table.rowOf(id) !== NO_ROW) return "is already open on this connection; session ids are never reused";
    const highest = byPeer ? this.highestPeer : this.highestOwn;
    if (id <= highest) return `is not above session ${highest}, announced before by the same side; the ids one side announces increase, so none is reused`;
    return undefined;
  }

  /** Tells the peer, as `notice` says, that session `endpoint` ended here with `error` (undefined: cleanly). */
  private tellPeer(endpoint: Endpoint, notice: EndNotice, error: Error | undefined): void {
    const id = endpoint.session;
    if (this.ended || notice === "none") return;
    if (notice === "answer") {
      this.mux.endSession(id);
      return;
    }
    // Recorded before the reset goes: a synchronous carrier may bring the answer back within endSession.
    const unanswered = (this.unanswered ??= new Set());
    unanswered.add(id);
    if (receivesAnnouncements(endpoint.program)) (this.unansweredParents ??= new Map()).set(id, this.highestPeer);
    this.mux.endSession(id, error);
    if (unanswered.size > 2 * this.mostOpen + UNANSWERED_SLACK && !this.overflowing) {
      this.overflowing = true;
      const error = new PhaseInvariant(
        `the peer left ${unanswered.size} session ends unanswered (at most ${this.mostOpen} sessions were ever open ` +
          "at once, and a peer answers each end within a round trip); closing the connection",
      );
      queueMicrotask(() => this.mux.close(error));
    }
  }

  // ---- SessionMuxHandlers --------------------------------------------------------------------------

  receive(session: number, lane: number, label: number, payload: InboundPayload): void {
    const endpoint = this.table.byId(session);
    if (endpoint === undefined) {
      this.unattributed(session, "a frame for");
      return;
    }
    // Decoded only now, for a live session; bytes that cannot be decoded escape as a violation.
    const value = payload.decode();
    try {
      endpoint.receiveFromWire(lane, label, value);
    } catch (error) {
      // A fault the endpoint raised escapes too, once the session has ended with it (so failing it again
      // does nothing); anything else escaping is a bug that ends only this session.
      endpoint.fail(error instanceof Error ? error : new SessionFault(`session ${session} failed: ${String(error)}`));
    }
  }

  sessionEnded(session: number, error: Error | undefined): void {
    const endpoint = this.table.byId(session);
    if (endpoint !== undefined) {
      endpoint.closeFromWire(error); // which answers it
      return;
    }
    if (this.unanswered?.delete(session) === true) {
      this.unansweredParents?.delete(session);
      return;
    }
    this.unattributed(session, "the end of");
    // A sub-session this side never opened (its parent had ended here): answer, so the peer stops waiting.
    this.mux.endSession(session);
  }

  closed(error: Error | undefined): void {
    this.ended = true;
    this.unanswered = undefined;
    this.unansweredParents = undefined;
    for (const endpoint of this.table.handles()) endpoint.closeFromWire(error);
  }

  /**
   * Accepts (by returning) `what` session `session` when the session is not open but the peer may still
   * send it: the session ended here and the peer has not answered, or the peer may have announced it on
   * such a session. Anything else is a violation: throws the PhaseInvariant that closes the connection.
   */
  private unattributed(session: number, what: string): void {
    if (this.unanswered?.has(session) === true) return;
    if (this.unansweredParents !== undefined) for (const highest of this.unansweredParents.values()) if (session > highest) return;
    const status =
      session <= this.highestOwn || session <= this.highestPeer
        ? "which has ended on both sides (each side sends nothing on a session after its reset)"
        : "which was never announced on this connection (sessions must be announced before use)";
    throw new PhaseInvariant(`the peer sent ${what} session ${session}, ${status}; closing the connection`);
  }
}

/** Per role program: whether its sessions receive announcements of sub-sessions. */
const announcementReceivers = new WeakMap<RoleProgram, boolean>();

function receivesAnnouncements(program: RoleProgram): boolean {
  let receives = announcementReceivers.get(program);
  if (receives === undefined) {
    const specs = program.catalog.specs;
    receives = program.lanes.some((lane) => lane.receives.some((label) => specs[label]!.opens !== undefined));
    announcementReceivers.set(program, receives);
  }
  return receives;
}
