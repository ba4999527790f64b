/**
 * Endpoints: one role's live side of one session, as the application uses it. Every inbound message is
 * checked against the steps the role program enables in its lane, validated with its schema and only
 * then delivered; every send must be a permitted step. The first fault ends the session (and its
 * sub-sessions), rejects every pending operation on every lane and tells the peer, through the mux, why.
 * The endpoint puts together the program cursor (where the session stands), the step check (one for
 * both directions), the connection's admission of sub-sessions and the session end. It is a light
 * handle: the session's id, program, parent, status and cursor live in its row of the connection's
 * session table (see session-table.ts), and only the lanes the application uses cost it more.
 */
import { ChoreographyError, LabelMismatch, PhaseInvariant, SessionFault, TransportError } from "./errors.js";
import type { Event } from "./global.js";
import { Connection, type EndNotice } from "./connection.js";
import { Lane } from "./lane.js";
import { LaneInbox } from "./lane-inbox.js";
import { pending, rejected } from "./quiet-promise.js";
import type { Handlers, OfferOf, RecvLabel, RecvPayload, SendLabel, SendPayload, SentBy, SessionHandler, SessionOf } from "./endpoint-types.js";
import type { MessageSpec, MessageWithLabel } from "./message.js";
import { advance, describePending, laneFinished, mayEnd, nextState, NOT_PERMITTED, startPosition, stateOf } from "./program-cursor.js";
import { END, RECV, SEND, type RoleProgram } from "./role-program.js";
import { EndableSession, type EndpointStatus } from "./session-end.js";
import { SessionExtras, type AnySessionHandler, type EndedRow } from "./session-extras.js";
import { NO_ROW } from "./session-index.js";
import { COL_ID, COL_LANES, COL_PARENT, USE_MANY, USE_NONE } from "./session-table.js";
import type { Family } from "./session-family.js";
import { checkPayload, checkStep, type Direction } from "./step-check.js";
import { TAP_OPEN, TAP_RECV, TAP_ROUTE, TAP_SEND, TapRing } from "./tap-ring.js";
import type { SessionMux } from "./wire.js";

/** Options for createEndpoint. */
export interface EndpointOptions {
  /** Where to record events; shared by every sub-session. Default: a new 256-entry ring; null: no recording. */
  readonly tap?: TapRing | null;
  /**
   * Validate outbound payloads with their schemas too (default true). Types already check them at
   * compile time; hot paths that trust their own data may turn this off.
   */
  readonly checkOutbound?: boolean;
}

type ServeHandler = (this: unknown, payload: unknown, session: unknown) => void;
/** What the application uses a lane with: serve() handlers, or the inbox of recv()/offer(). */
type LaneUse = LaneInbox | Readonly<Record<string, unknown>>;
/** What an endpoint holds of its lanes' uses: the one lane's (its row names it), or an array by lane. */
type LaneUses = LaneUse | (LaneUse | undefined)[] | undefined;

/** EndpointStatus by its code in the session table (STATUS_OPEN, STATUS_DONE, STATUS_FAULTED). */
const STATUS_NAMES: readonly EndpointStatus[] = ["open", "done", "faulted"];

/**
 * Starts role `program.role` of a protocol on session 0 of `mux`, and takes over the mux: its other
 * sessions are the sub-sessions this one announces or is announced. The program must talk to a single
 * peer: a connection joins exactly two parties.
 */
export function createEndpoint<E extends Event, R extends string>(program: RoleProgram<E, R>, mux: SessionMux, options: EndpointOptions = {}): Endpoint<E, R> {
  if (program.peers.length > 1) {
    throw new PhaseInvariant(`role ${program.role} talks to ${program.peers.join(" and ")}; an endpoint runs over one connection, so its program may have one peer only`);
  }
  const connection = new Connection(mux, options.tap === undefined ? new TapRing() : options.tap, options.checkOutbound ?? true, program);
  const endpoint = new Endpoint(program, connection, 0, undefined, false);
  mux.attach(connection);
  return endpoint;
}

/** One role's side of one session: lanes, sub-sessions and the session's end. */
export class Endpoint<E extends Event = Event, R extends string = string> extends EndableSession<E, R> {
  /** @internal The session's row in the connection's session table while it is open; NO_ROW once it ended (see `extras.ended`). */
  row: number;
  /** What the application uses its lanes with (made when a lane is first served or receives unasked). */
  private use: LaneUses = undefined;

  /** @internal Use createEndpoint(); sub-session endpoints are made by their announcements, which the connection admits. */
  constructor(program: RoleProgram<E, R>, connection: Connection, session: number, parent: Endpoint | undefined, byPeer: boolean) {
    super(connection);
    this.row = connection.admit(this as unknown as Endpoint, program, session, parent, byPeer);
    startPosition(program, connection.table.cells, this.base);
  }

  /** The role program this session runs. */
  get program(): RoleProgram<E, R> {
    const row = this.row;
    if (row === NO_ROW) return this.ended.program as RoleProgram<E, R>;
    return this.connection.table.programAt(row) as RoleProgram<E, R>;
  }

  /** The session id on the connection. */
  get session(): number {
    const row = this.row;
    if (row === NO_ROW) return this.ended.session;
    const table = this.connection.table;
    return table.cells[row * table.stride + COL_ID]! >>> 0;
  }

  /** @internal The session that announced this one (undefined for session 0). */
  get parent(): Endpoint | undefined {
    const row = this.row;
    if (row === NO_ROW) return this.ended.parent;
    const table = this.connection.table;
    const parent = table.cells[row * table.stride + COL_PARENT]!;
    return parent === NO_ROW ? undefined : table.at(parent);
  }

  /** Whether the session is open, closed or faulted: read from its row, or from the copy kept once it ended. */
  protected get status(): EndpointStatus {
    const row = this.row;
    if (row === NO_ROW) return STATUS_NAMES[this.ended.status]!;
    return STATUS_NAMES[this.connection.table.statusAt(row)]!;
  }

  /** Set while the session has its row: it ends (and gives the row back) only after. */
  protected set status(status: EndpointStatus) {
    this.connection.table.setStatus(this.row, STATUS_NAMES.indexOf(status));
  }

  /** The row copy of an ended session. */
  private get ended(): EndedRow {
    return this.extras!.ended!;
  }

  /** The cells that hold the session's position: its row's, or the copy kept when it ended. */
  private get cells(): Int32Array {
    return this.row === NO_ROW ? this.ended.position : this.connection.table.cells;
  }

  /** Where the position starts in `cells`. */
  private get base(): number {
    return this.row === NO_ROW ? 0 : this.row * this.connection.table.stride + COL_LANES;
  }

  /** The lane used, USE_NONE or USE_MANY. */
  private get usedLane(): number {
    const row = this.row;
    if (row === NO_ROW) return this.ended.use;
    return this.connection.table.useAt(row);
  }

  private set usedLane(lane: number) {
    const row = this.row;
    if (row === NO_ROW) {
      this.ended.use = lane;
      return;
    }
    this.connection.table.setUse(row, lane);
  }

  /**
   * @internal The session ended and the connection let go of it: keeps a copy of what its row held (an
   * ended session still answers for it) and gives the row back to the table.
   */
  detach(): void {
    const row = this.row;
    if (row === NO_ROW) return;
    const program = this.program;
    const base = this.base;
    const table = this.connection.table;
    (this.extras ??= new SessionExtras()).ended = {
      session: this.session,
      program,
      parent: this.parent,
      status: table.statusAt(row),
      use: this.usedLane,
      position: table.cells.slice(base, base + program.lanes.length),
    };
    this.row = NO_ROW;
    table.free(row);
  }

  /** The role this endpoint plays. */
  get role(): R {
    return this.program.role;
  }

  /** The tap ring recording this endpoint's events (shared with its connection's other sessions). */
  get tap(): TapRing | null {
    return this.connection.tap;
  }

  /** A lane by id (0 is the main lane) or by the name given in `par({ name: ... })`. */
  lane(lane: number | string): Lane<E, R> {
    const id = this.program.laneId(lane);
    if (id < 0) throw new PhaseInvariant(`${this.program.name} has no lane ${JSON.stringify(lane)}; it has lanes 0..${this.program.lanes.length - 1}`);
    return new Lane(this, id);
  }

  /** Sends on lane 0; see Lane.send. */
  send<L extends SendLabel<E, R>>(label: L, payload: SendPayload<E, R, L>): SessionOf<MessageWithLabel<SentBy<E, R>, L>, R> {
    return this.sendOn(0, label, payload) as SessionOf<MessageWithLabel<SentBy<E, R>, L>, R>;
  }

  /** Receives on lane 0; see Lane.recv. */
  recv<L extends RecvLabel<E, R>>(label: L): Promise<RecvPayload<E, R, L>> {
    return this.take(0, label) as Promise<RecvPayload<E, R, L>>;
  }

  /** Offers on lane 0; see Lane.offer. */
  offer(): Promise<OfferOf<E, R>> {
    return this.take(0, undefined) as Promise<OfferOf<E, R>>;
  }

  /** Serves lane 0; see Lane.serve. */
  serve(handlers: Handlers<E, R>): void {
    this.serveLane(0, handlers as Readonly<Record<string, unknown>>);
  }

  /**
   * Registers the handler for sub-sessions of `family` that the peer announces; it runs synchronously
   * while the announcement is received, before any frame of the new session. Returns an unregister function.
   */
  onSession<F extends Family>(family: F, handler: SessionHandler<E, R, F>): () => void {
    if (!this.program.families.has(family.name)) {
      throw this.fail(new PhaseInvariant(`onSession: family "${family.name}" is not announced by this protocol`));
    }
    const h = handler as unknown as AnySessionHandler;
    const handlers = ((this.extras ??= new SessionExtras()).sessionHandlers ??= new Map());
    handlers.set(family.name, h);
    return () => {
      if (handlers.get(family.name) === h) handlers.delete(family.name);
    };
  }

  /** The open sessions announced on this one (by either side), in the order of their rows: a walk of the connection's sessions. */
  subSessions(): Endpoint[] {
    return this.row === NO_ROW ? [] : this.connection.table.childrenOf(this.row);
  }

  /** An open session of this connection by id (sub-sessions are typed by their family's protocol). */
  sessionById(id: number): Endpoint | undefined {
    return this.connection.table.byId(id);
  }

  /** @internal "lane 1 "interests" of session 3 (Up)". */
  where(lane: number): string {
    return `${this.program.laneName(lane)} of session ${this.session} (${this.program.role})`;
  }

  /** @internal The handlers lane `laneId` is served with, if it is served. */
  servedWith(laneId: number): object | undefined {
    const use = this.useOf(laneId);
    return use instanceof LaneInbox ? undefined : use;
  }

  /** What the application uses lane `laneId` with, if anything yet. */
  private useOf(laneId: number): LaneUse | undefined {
    const used = this.usedLane;
    if (used === USE_MANY) return (this.use as (LaneUse | undefined)[])[laneId];
    return used === laneId ? (this.use as LaneUse) : undefined;
  }

  /** Sets the use of lane `laneId`: a session that uses one lane keeps it alone, one that uses more an array by lane. */
  private setUse(laneId: number, use: LaneUse | undefined): void {
    const used = this.usedLane;
    if (used === USE_MANY) {
      (this.use as (LaneUse | undefined)[])[laneId] = use;
    } else if (used === USE_NONE || used === laneId) {
      this.use = use;
      this.usedLane = use === undefined ? USE_NONE : laneId;
    } else if (use !== undefined) {
      const uses = new Array<LaneUse | undefined>(this.program.lanes.length).fill(undefined);
      uses[used] = this.use as LaneUse;
      uses[laneId] = use;
      this.use = uses;
      this.usedLane = USE_MANY;
    }
  }

  /** @internal Whether lane `lane` reached its end. */
  laneFinished(lane: number): boolean {
    return laneFinished(this.program, this.cells, this.base, lane);
  }

  /** @internal Sends `label` on lane `laneId`: what only a send checks, then the step. */
  sendOn(laneId: number, label: string, payload: unknown): unknown {
    if (this.status !== "open") throw this.afterEnd(`send(${label})`);
    const id = this.program.catalog.ids.get(label);
    if (id === undefined) throw this.fail(new LabelMismatch(`send(${label}): "${label}" is not a label of this protocol`));
    const use = this.useOf(laneId);
    if (use instanceof LaneInbox && use.backlog > 0) {
      throw this.fail(
        new PhaseInvariant(`send(${label}) on ${this.where(laneId)} while ${use.backlog} received message(s) there are not taken yet (next: ${use.nextLabel(this as unknown as Endpoint)}); recv() them first`),
      );
    }
    return this.step(SEND, laneId, id, payload);
  }

  /**
   * @internal An inbound message from the wire: what only a receive checks (the frame names a lane and a
   * label of the protocol), then the step. A fault ends the session and is thrown.
   */
  receiveFromWire(laneId: number, label: number, payload: unknown): void {
    if (this.status !== "open") return;
    const program = this.program;
    if (!(laneId >= 0 && laneId < program.lanes.length && Number.isInteger(laneId))) {
      throw this.fail(new PhaseInvariant(`session ${this.session} (${program.role}) received a message on lane ${laneId}, but ${program.name} has lanes 0..${program.lanes.length - 1}`));
    }
    if (!(label >= 0 && label < program.labelCount && Number.isInteger(label))) {
      throw this.fail(new LabelMismatch(`${this.where(laneId)} received unknown label id ${String(label)}; the protocol has ${program.labelCount} labels`));
    }
    this.step(RECV, laneId, label, payload);
  }

  /**
   * One message in `direction` on lane `laneId`, the same way for both: the step check and the schema
   * (outbound only when asked), admission of an announced sub-session (before the announcing frame goes
   * out or the next frame is read), the tap, the cursor's advance; then the frame goes to the wire or to
   * the application. Returns the announced sub-session; a fault ends the session and is thrown.
   */
  private step(direction: Direction, laneId: number, label: number, payload: unknown): Endpoint | undefined {
    const program = this.program;
    const next = checkStep(this, this.cells, this.base, direction, laneId, label);
    if (typeof next !== "number") throw this.fail(next);
    const spec = program.catalog.specs[label]!;
    let value = payload;
    if (direction === RECV || this.connection.checkOutbound) {
      try {
        value = checkPayload(this, direction, spec, laneId, payload);
      } catch (fault) {
        throw this.fail(fault as Error);
      }
    }
    const sub = spec.opens === undefined ? undefined : this.openSubSession(spec, value, laneId, direction === RECV);
    // Read anew: the announced sub-session's row may have grown the table.
    const cells = this.cells;
    const base = this.base;
    this.record(direction === SEND ? TAP_SEND : TAP_RECV, laneId, spec.label, stateOf(cells, base, laneId) * program.labelCount + label);
    const complete = advance(program, cells, base, laneId, next);
    if (direction === SEND) {
      try {
        this.connection.mux.send(this.session, laneId, label, value);
      } catch (error) {
        throw this.fail(error instanceof ChoreographyError ? error : new TransportError(`sending ${spec.label} on ${this.where(laneId)} failed: ${String(error)}`, { cause: error }));
      }
    } else {
      if (sub !== undefined) this.announced(spec.opens!.name, sub, value);
      this.deliver(laneId, label, value, sub);
    }
    if (complete) this.finish("protocol complete", "reset");
    return sub;
  }

  /** @internal recv() (`label`) or offer() (undefined) on lane `laneId`. */
  take(laneId: number, label: string | undefined): Promise<unknown> {
    const op = label === undefined ? "offer()" : `recv(${label})`;
    if (this.status === "faulted") return rejected(this.afterEnd(op));
    const use = this.useOf(laneId);
    if (use !== undefined && !(use instanceof LaneInbox)) {
      return rejected(this.fail(new PhaseInvariant(`${op} on ${this.where(laneId)}, which is served by serve() handlers`)));
    }
    if (use !== undefined && use.offered !== null) {
      return rejected(this.fail(new PhaseInvariant(`${op} on ${this.where(laneId)} before the offered ${use.offered.label} was committed with branch.recv()`)));
    }
    const program = this.program;
    const id = label === undefined ? -1 : program.catalog.ids.get(label);
    if (id === undefined) return rejected(this.fail(new LabelMismatch(`${op}: "${label}" is not a label of this protocol`)));
    if (use !== undefined && use.size > 0) {
      return pending((resolve, reject) => use.settle({ label: id, resolve, reject }, this as unknown as Endpoint, laneId));
    }
    if (this.status === "done") return rejected(this.afterEnd(op));
    if (use !== undefined && use.waiter !== null) {
      return rejected(this.fail(new PhaseInvariant(`${op} on ${this.where(laneId)} while another recv()/offer() is pending there`)));
    }
    const s = stateOf(this.cells, this.base, laneId);
    if (s >= 0) {
      const kind = program.kinds[s];
      if (kind === SEND) {
        return rejected(this.fail(new PhaseInvariant(`${op} on ${this.where(laneId)}, but ${program.role} is expected ${program.describeState(s)}: it is its turn to send`)));
      }
      if (kind === END) return rejected(this.fail(new PhaseInvariant(`${op} on ${this.where(laneId)}, which has finished`)));
      if (id >= 0 && nextState(program, this.cells, this.base, RECV, laneId, id) === NOT_PERMITTED) {
        return rejected(this.fail(new LabelMismatch(`${op} on ${this.where(laneId)}, but ${program.role} is expected ${program.describeState(s)}`)));
      }
      // At a FORK the lane waits for its parallel lanes; the message comes after the join.
    }
    const inbox = use ?? this.inboxOf(laneId);
    return pending((resolve, reject) => {
      inbox.waiter = { label: id, resolve, reject };
    });
  }

  /** @internal serve() on lane `laneId`; see Lane.serve. */
  serveLane(laneId: number, handlers: Readonly<Record<string, unknown>>): void {
    if (this.status === "faulted") throw this.afterEnd(`serve() on ${this.program.laneName(laneId)}`);
    const use = this.useOf(laneId);
    if (use !== undefined && !(use instanceof LaneInbox)) throw this.fail(new PhaseInvariant(`serve() was already called on ${this.where(laneId)}`));
    if (use !== undefined && (use.waiter !== null || use.offered !== null)) {
      throw this.fail(new PhaseInvariant(`serve() on ${this.where(laneId)} while a recv()/offer() is pending or an offered branch is not committed`));
    }
    const program = this.program;
    const specs = program.catalog.specs;
    const receives = program.lanes[laneId]!.receives;
    for (const label of receives) {
      if (typeof handlers[specs[label]!.label] !== "function") {
        const all = receives.map((l) => specs[l]!.label).join(", ");
        throw this.fail(new PhaseInvariant(`serve() on ${this.where(laneId)} has no handler for ${specs[label]!.label}; this lane can receive ${all}`));
      }
    }
    // A handler for a label this lane never receives is a mistake (fields that are not functions, as
    // on a handler class instance, are not handlers; nor are its methods, which live on its prototype).
    for (const name of Object.keys(handlers)) {
      if (typeof handlers[name] !== "function") continue;
      const id = program.catalog.ids.get(name);
      if (id === undefined || !receives.includes(id)) {
        throw this.fail(new PhaseInvariant(`serve() on ${this.where(laneId)} has a handler for ${name}, which this lane never receives`));
      }
    }
    this.setUse(laneId, handlers);
    while (use !== undefined && use.size > 0 && this.state !== "faulted") {
      const [label, payload, session] = use.shift();
      this.dispatch(handlers, laneId, label, payload, session);
    }
  }

  /** Hands a validated inbound message to serve handlers, a pending recv/offer, or the lane's inbox. */
  private deliver(laneId: number, label: number, payload: unknown, session: unknown): void {
    const use = this.useOf(laneId);
    if (use !== undefined && !(use instanceof LaneInbox)) {
      this.dispatch(use, laneId, label, payload, session);
      return;
    }
    const inbox = use ?? this.inboxOf(laneId);
    inbox.push(label, payload, session);
    const w = inbox.waiter;
    if (w !== null) {
      inbox.waiter = null;
      inbox.settle(w, this as unknown as Endpoint, laneId);
    }
  }

  private inboxOf(laneId: number): LaneInbox {
    const inbox = new LaneInbox();
    this.setUse(laneId, inbox);
    return inbox;
  }

  private dispatch(handlers: Readonly<Record<string, unknown>>, laneId: number, label: number, payload: unknown, session: unknown): void {
    const name = this.program.catalog.specs[label]!.label;
    try {
      (handlers[name] as ServeHandler).call(handlers, payload, session);
    } catch (error) {
      this.fail(new SessionFault(`the serve() handler for ${name} on ${this.where(laneId)} threw: ${String((error as Error)?.message ?? error)}`, { cause: error }));
    }
  }

  private record(kind: number, lane: number, label: string, slot: number): void {
    const tap = this.connection.tap;
    if (tap === null) return;
    tap.record(kind, this.session, lane, this.program.role, label);
    const decision = this.program.decisions[slot];
    if (decision !== undefined) tap.record(TAP_ROUTE, this.session, lane, this.program.role, label, decision);
  }

  /** Opens the sub-session `spec` announces once the connection admits it. */
  private openSubSession(spec: MessageSpec, payload: unknown, lane: number, byPeer: boolean): Endpoint {
    const connection = this.connection;
    const id = connection.admission(this as unknown as Endpoint, lane, spec, payload, byPeer);
    if (typeof id !== "number") throw this.fail(id);
    const family = spec.opens!;
    const sub = new Endpoint(this.program.families.get(family.name)!, connection, id, this as unknown as Endpoint, byPeer);
    connection.tap?.record(TAP_OPEN, id, -1, this.program.role, spec.label, `${family.name} session announced on session ${this.session}`);
    return sub;
  }

  /** Hands a sub-session the peer announced to the application (a throwing handler fails only that sub-session). */
  private announced(familyName: string, sub: Endpoint, payload: unknown): void {
    const handler = this.extras?.sessionHandlers?.get(familyName);
    if (handler === undefined) return;
    try {
      handler(sub, payload);
    } catch (error) {
      sub.fail(new SessionFault(`the onSession handler for ${familyName} session ${sub.session} threw: ${String((error as Error)?.message ?? error)}`, { cause: error }));
    }
  }

  /** @internal The lanes' work that keeps the session from ending cleanly, or undefined when it may end. */
  protected unfinished(): string | undefined {
    const cells = this.cells;
    const base = this.base;
    return mayEnd(this.program, cells, base) ? undefined : describePending(this.program, cells, base);
  }

  /**
   * @internal Lets go of the session's lanes (a pending recv()/offer() gets `fault`, or an after-end error) and
   * onSession handlers; the connection then ends its sub-sessions and tells the peer as `notice` says.
   */
  protected release(fault: Error | undefined, notice: EndNotice): void {
    for (let lane = 0; lane < this.program.lanes.length; lane++) {
      const use = this.useOf(lane);
      // Errors are made only for someone to hear them: capturing a stack costs microseconds a session.
      if (use instanceof LaneInbox) use.end(fault ?? this.afterEnd("a pending recv()/offer()"), fault !== undefined);
      else this.setUse(lane, undefined); // serve() handlers take nothing more
    }
    if (this.extras !== undefined) this.extras.sessionHandlers = undefined;
    try {
      this.connection.release(this as unknown as Endpoint, fault, notice);
    } finally {
      // Even when telling the peer failed: the row goes back to the table.
      this.detach();
    }
  }
}
