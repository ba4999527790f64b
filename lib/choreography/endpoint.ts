/**
 * Endpoints: one role's live side of one session. Every inbound message is checked against the
 * steps the role program enables in its lane, validated with its schema and only then delivered;
 * every send must be a permitted step. The first fault ends the session (and its sub-sessions),
 * rejects every pending operation on every lane and tells the peer, through the mux, why.
 */
import { AffineViolation, ChoreographyError, LabelMismatch, PhaseInvariant, SchemaMismatch, SessionFault, TransportError } from "./errors.js";
import type { Event } from "./global.js";
import { Connection, type EndNotice } from "./connection.js";
import { Lane } from "./lane.js";
import { LaneInbox } from "./lane-inbox.js";
import { pending, rejected } from "./quiet-promise.js";
import type { Handlers, OfferOf, RecvLabel, RecvPayload, SendLabel, SendPayload, SentBy, SessionHandler, SessionOf } from "./endpoint-types.js";
import type { MessageSpec, MessageWithLabel } from "./message.js";
import { END, FORK, RECV, SEND, type RoleProgram } from "./role-program.js";
import type { Family } from "./session-family.js";
import { TAP_CLOSE, TAP_FAULT, TAP_OPEN, TAP_RECV, TAP_ROUTE, TAP_SEND, TapRing } from "./tap-ring.js";
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

/** "open" while running; "done" after a clean end; "faulted" after the first fault. */
export type EndpointStatus = "open" | "done" | "faulted";

type AnySessionHandler = (session: Endpoint, announcement: unknown) => void;
type ServeHandler = (this: unknown, payload: unknown, session: unknown) => void;
/** What the application uses a lane with: serve() handlers, or the inbox of recv()/offer(). */
type LaneUse = LaneInbox | Readonly<Record<string, unknown>>;

/** Something told when a session ends: a function, or an object with `sessionEnded` (no closure per session). */
export type SessionEndListener = ((error: Error | undefined) => void) | { sessionEnded(error: Error | undefined): void };

/**
 * What most sessions never need, made on first use: a connection may carry very many sessions, and
 * each would otherwise pay for these fields.
 */
class Extras {
  fault: Error | undefined = undefined;
  /** Sub-sessions this session announced or was announced, still open. */
  children = 0;
  sessionHandlers: Map<string, AnySessionHandler> | undefined = undefined;
  closedPromise: Promise<Error | undefined> | undefined = undefined;
  resolveClosed: ((error: Error | undefined) => void) | undefined = undefined;
  /** Listeners after the first (which the endpoint holds itself). */
  moreEndListeners: SessionEndListener[] | undefined = undefined;
}

/**
 * Starts role `program.role` of a protocol on session 0 of `mux`, and takes over the mux: its other
 * sessions are the sub-sessions this one announces or is announced. The program must talk to a single
 * peer: a connection joins exactly two parties.
 */
export function createEndpoint<E extends Event, R extends string>(program: RoleProgram<E, R>, mux: SessionMux, options: EndpointOptions = {}): Endpoint<E, R> {
  if (program.peers.length > 1) {
    throw new PhaseInvariant(`role ${program.role} talks to ${program.peers.join(" and ")}; an endpoint runs over one connection, so its program may have one peer only`);
  }
  const connection = new Connection(mux, options.tap === undefined ? new TapRing() : options.tap, options.checkOutbound ?? true);
  const endpoint = new Endpoint(program, connection, 0, undefined);
  connection.admit(endpoint as unknown as Endpoint, false);
  mux.attach(connection);
  return endpoint;
}

/** One role's side of one session: lanes, sub-sessions and the session's end. */
export class Endpoint<E extends Event = Event, R extends string = string> {
  private status: EndpointStatus = "open";
  /**
   * Per lane its state in the role program (-1 before the lane first starts), then per lane what the
   * application uses it with (set when the lane is first served or receives unasked). One array, not
   * two: an endpoint lives as long as its session, and a node keeps one session per object per link.
   */
  private readonly lanes: (number | LaneUse | undefined)[];
  private extras: Extras | undefined = undefined;
  /** The first onEnd listener (usually the only one: whoever serves the session). */
  private endListener: SessionEndListener | undefined = undefined;

  /** @internal Use createEndpoint(); sub-session endpoints are made by their announcements. */
  constructor(
    /** The role program this endpoint runs. */
    readonly program: RoleProgram<E, R>,
    private readonly connection: Connection,
    /** The session id on the connection. */
    readonly session: number,
    private readonly parent: Endpoint | undefined,
  ) {
    const count = program.lanes.length;
    const lanes = new Array<number | LaneUse | undefined>(2 * count);
    for (let i = 0; i < count; i++) lanes[i] = -1;
    for (let i = count; i < lanes.length; i++) lanes[i] = undefined;
    this.lanes = lanes;
    this.advance(0, program.start);
  }

  /** Resolves when the session ends: undefined for a clean end, or the fault that ended it. Never rejects. */
  get closed(): Promise<Error | undefined> {
    const extras = (this.extras ??= new Extras());
    if (extras.closedPromise === undefined) {
      extras.closedPromise =
        this.status === "open" ? new Promise((resolve) => (extras.resolveClosed = resolve)) : Promise.resolve(extras.fault);
    }
    return extras.closedPromise;
  }

  /**
   * Tells `listener` once when the session ends, with the fault or undefined for a clean end (at once
   * if it already has). Cheaper than `closed` where a connection carries many sessions; an object with a
   * `sessionEnded` method saves a closure per session.
   */
  onEnd(listener: SessionEndListener): void {
    if (this.status !== "open") {
      tell(listener, this.fault);
      return;
    }
    if (this.endListener === undefined) this.endListener = listener;
    else ((this.extras ??= new Extras()).moreEndListeners ??= []).push(listener);
  }

  /** The role this endpoint plays. */
  get role(): R {
    return this.program.role;
  }

  /** The tap ring recording this endpoint's events (shared with its connection's other sessions). */
  get tap(): TapRing | null {
    return this.connection.tap;
  }

  /** "open", "done" (clean end) or "faulted". */
  get state(): EndpointStatus {
    return this.status;
  }

  /** The fault that ended the session, if one did. */
  get fault(): Error | undefined {
    return this.extras?.fault;
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
    const handlers = ((this.extras ??= new Extras()).sessionHandlers ??= new Map());
    handlers.set(family.name, h);
    return () => {
      if (handlers.get(family.name) === h) handlers.delete(family.name);
    };
  }

  /** An open session of this connection by id (sub-sessions are typed by their family's protocol). */
  sessionById(id: number): Endpoint | undefined {
    return this.connection.sessions.get(id);
  }

  /**
   * Ends the session cleanly. Allowed when the protocol is complete or every running lane is at a loop
   * that nothing follows; otherwise it is a PhaseInvariant fault (use abort() to end early).
   */
  close(): void {
    if (this.status !== "open") return;
    if (!this.canEnd()) throw this.fail(new PhaseInvariant(`close() on session ${this.session} while ${this.pendingWork()}; use abort() to end a session early`));
    this.finish("closed by the application", "reset");
  }

  /** Ends the session now with a SessionFault (the peer is told through the wire). */
  abort(reason?: string): void {
    this.fail(new SessionFault(`session ${this.session} (${this.program.role}) was aborted by the application${reason === undefined ? "" : `: ${reason}`}`));
  }

  /** @internal "lane 1 "interests" of session 3 (Up)". */
  where(lane: number): string {
    return `${this.program.laneName(lane)} of session ${this.session} (${this.program.role})`;
  }

  /** @internal The error for an operation attempted after the session ended (not itself a new fault). */
  afterEnd(op: string): PhaseInvariant {
    const fault = this.fault;
    const how = fault === undefined ? "cleanly" : `with ${fault.name}: ${fault.message}`;
    return new PhaseInvariant(`${op} on session ${this.session} (${this.program.role}) after it ended ${how}`, { cause: fault });
  }

  /**
   * @internal Ends the session with `error` if it is still open, telling the peer as `notice` says (by
   * default this side ends it: a reset carries `error`); returns `error` for throwing.
   */
  fail(error: Error, notice: EndNotice = "reset"): Error {
    if (this.status !== "open") return error;
    this.status = "faulted";
    (this.extras ??= new Extras()).fault = error;
    this.connection.tap?.record(TAP_FAULT, this.session, -1, this.program.role, "", `${error.name}: ${error.message}`);
    this.teardown(error, notice);
    this.settleClosed(error);
    return error;
  }

  /** Lane `laneId`'s state in the role program (-1 before it first starts); `laneId` must be a lane. */
  private stateOf(laneId: number): number {
    return this.lanes[laneId] as number;
  }

  /** What the application uses lane `laneId` with, if anything yet. */
  private useOf(laneId: number): LaneUse | undefined {
    return this.lanes[this.program.lanes.length + laneId] as LaneUse | undefined;
  }

  private setUse(laneId: number, use: LaneUse | undefined): void {
    this.lanes[this.program.lanes.length + laneId] = use;
  }

  /** @internal Whether lane `lane` reached its end. */
  laneFinished(lane: number): boolean {
    const s = this.stateOf(lane);
    return s >= 0 && this.program.kinds[s] === END;
  }

  /** @internal Sends `label` on lane `laneId`: the whole step check, announcement, advance and wire send. */
  sendOn(laneId: number, label: string, payload: unknown): unknown {
    if (this.status !== "open") throw this.afterEnd(`send(${label})`);
    const program = this.program;
    const id = program.catalog.ids.get(label);
    if (id === undefined) throw this.fail(new LabelMismatch(`send(${label}): "${label}" is not a label of this protocol`));
    const use = this.useOf(laneId);
    if (use instanceof LaneInbox && use.backlog > 0) {
      throw this.fail(
        new PhaseInvariant(`send(${label}) on ${this.where(laneId)} while ${use.backlog} received message(s) there are not taken yet (next: ${use.nextLabel(this as unknown as Endpoint)}); recv() them first`),
      );
    }
    const state = this.stateOf(laneId);
    const kind = state < 0 ? 0 : program.kinds[state];
    if (kind !== SEND) throw this.fail(new PhaseInvariant(`send(${label}) on ${this.where(laneId)}, but ${this.laneStatus(laneId)}`));
    const slot = state * program.labelCount + id;
    const next = program.next[slot]!;
    if (next < 0) throw this.fail(new LabelMismatch(`send(${label}) on ${this.where(laneId)}, but ${program.role} is expected ${program.describeState(state)}`));
    const spec = program.catalog.specs[id]!;
    let value = payload;
    if (this.connection.checkOutbound) {
      try {
        value = spec.schema.parse(payload);
      } catch (error) {
        throw this.fail(this.schemaFault("sent", spec, laneId, error));
      }
    }
    let sub: Endpoint | undefined;
    if (spec.opens !== undefined) {
      sub = this.openSubSession(spec, value, laneId, false);
      if (sub === undefined) throw this.fault!;
    }
    this.record(TAP_SEND, laneId, spec.label, slot);
    const complete = this.advance(laneId, next);
    try {
      this.connection.mux.send(this.session, laneId, id, value);
    } catch (error) {
      throw this.fail(error instanceof ChoreographyError ? error : new TransportError(`sending ${label} on ${this.where(laneId)} failed: ${String(error)}`, { cause: error }));
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
    const s = this.stateOf(laneId);
    if (s >= 0) {
      const kind = program.kinds[s];
      if (kind === SEND) {
        return rejected(this.fail(new PhaseInvariant(`${op} on ${this.where(laneId)}, but ${program.role} is expected ${program.describeState(s)}: it is its turn to send`)));
      }
      if (kind === END) return rejected(this.fail(new PhaseInvariant(`${op} on ${this.where(laneId)}, which has finished`)));
      if (kind === RECV && id >= 0 && program.next[s * program.labelCount + id]! < 0) {
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

  /** @internal An inbound message from the wire: checked against the program, then delivered. */
  receiveFromWire(laneId: number, label: number, payload: unknown): void {
    if (this.status !== "open") return;
    const program = this.program;
    if (!(laneId >= 0 && laneId < program.lanes.length && Number.isInteger(laneId))) {
      this.fail(new PhaseInvariant(`session ${this.session} (${program.role}) received a message on lane ${laneId}, but ${program.name} has lanes 0..${program.lanes.length - 1}`));
      return;
    }
    if (!(label >= 0 && label < program.labelCount && Number.isInteger(label))) {
      this.fail(new LabelMismatch(`${this.where(laneId)} received unknown label id ${String(label)}; the protocol has ${program.labelCount} labels`));
      return;
    }
    const spec = program.catalog.specs[label]!;
    const state = this.stateOf(laneId);
    if (state < 0 || program.kinds[state] !== RECV) {
      this.fail(new PhaseInvariant(`${this.where(laneId)} received ${spec.label}, but ${this.laneStatus(laneId)}`));
      return;
    }
    const slot = state * program.labelCount + label;
    const next = program.next[slot]!;
    if (next < 0) {
      this.fail(new LabelMismatch(`${this.where(laneId)} received ${spec.label}, but ${program.role} is expected ${program.describeState(state)}`));
      return;
    }
    let value: unknown;
    try {
      value = spec.schema.parse(payload);
    } catch (error) {
      this.fail(this.schemaFault("received", spec, laneId, error));
      return;
    }
    let sub: Endpoint | undefined;
    if (spec.opens !== undefined) {
      sub = this.openSubSession(spec, value, laneId, true);
      if (sub === undefined) return;
    }
    this.record(TAP_RECV, laneId, spec.label, slot);
    const complete = this.advance(laneId, next);
    if (sub !== undefined) this.announced(spec.opens!.name, sub, value);
    this.deliver(laneId, label, value, sub);
    if (complete) this.finish("protocol complete", "reset");
  }

  /**
   * @internal The session ended below the runtime (cleanly, or with the error that ended it): the peer
   * ended it, and is answered, or the connection is gone.
   */
  closeFromWire(error: Error | undefined): void {
    if (this.status !== "open") return;
    if (error === undefined) {
      if (this.canEnd()) this.finish("closed by the peer", "answer");
      else this.fail(new TransportError(`session ${this.session} (${this.program.role}) was closed by the peer while ${this.pendingWork()}`), "answer");
    } else {
      this.fail(
        error instanceof ChoreographyError ? error : new TransportError(`session ${this.session} (${this.program.role}) lost its connection: ${error.message}`, { cause: error }),
        "answer",
      );
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

  private schemaFault(direction: string, spec: MessageSpec, lane: number, error: unknown): SchemaMismatch {
    const schema = spec.schema.name === undefined ? "its schema" : `schema ${spec.schema.name}`;
    const why = error instanceof Error ? error.message : String(error);
    return new SchemaMismatch(`the payload of ${spec.label} ${direction} on ${this.where(lane)} does not match ${schema}: ${why}`, { cause: error });
  }

  /** Opens the sub-session `spec` announces (before the announcing frame is sent or the next frame is read). */
  private openSubSession(spec: MessageSpec, payload: unknown, lane: number, byPeer: boolean): Endpoint | undefined {
    const family = spec.opens!;
    let id: number;
    try {
      id = spec.sessionIdOf(payload);
    } catch (error) {
      this.fail(new SchemaMismatch(`${spec.label} on ${this.where(lane)}: its session id could not be read: ${String((error as Error)?.message ?? error)}`, { cause: error }));
      return undefined;
    }
    if (!Number.isSafeInteger(id) || id < 0 || id > MAX_SESSION_ID) {
      this.fail(new SchemaMismatch(`${spec.label} on ${this.where(lane)} announces session id ${String(id)}; session ids are integers from 0 to ${MAX_SESSION_ID}`));
      return undefined;
    }
    const refusal = this.connection.refusal(id, byPeer);
    if (refusal !== undefined) {
      this.fail(new AffineViolation(`${spec.label} on ${this.where(lane)} announces session ${id}, which ${refusal}`));
      return undefined;
    }
    const sub = new Endpoint(this.program.families.get(family.name)!, this.connection, id, this as unknown as Endpoint);
    this.connection.admit(sub, byPeer);
    (this.extras ??= new Extras()).children++;
    this.connection.tap?.record(TAP_OPEN, id, -1, this.program.role, spec.label, `${family.name} session announced on session ${this.session}`);
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

  /**
   * Moves lane `laneId` to state `s`, starting the lanes of a fork and joining finished lanes into their
   * parent. Returns true when lane 0 reached the end of the protocol.
   */
  private advance(laneId: number, s: number): boolean {
    const program = this.program;
    const lanes = this.lanes; // a lane's state is at its own index
    for (;;) {
      lanes[laneId] = s;
      const kind = program.kinds[s];
      if (kind === FORK) {
        const fork = program.forks[s]!;
        // Not started yet, so a lane ending at once does not take a sibling's end from a previous
        // run of this par (in a loop) for its own.
        for (const lane of fork.lanes) lanes[lane] = -1;
        let complete = false;
        for (let i = 0; i < fork.lanes.length; i++) {
          if (this.advance(fork.lanes[i]!, fork.starts[i]!)) complete = true;
        }
        return complete;
      }
      if (kind !== END) return false;
      const parentId = program.lanes[laneId]!.parent;
      if (parentId < 0) return true;
      // The parent continues once every lane of its fork has ended.
      const parentState = this.stateOf(parentId);
      const fork = program.forks[parentState];
      if (fork === undefined) return false; // the parent already moved on (this lane's fork was joined)
      for (const sibling of fork.lanes) {
        const t = this.stateOf(sibling);
        if (t < 0 || program.kinds[t] !== END) return false;
      }
      s = fork.next;
      laneId = parentId;
    }
  }

  /** True when lane `laneId` keeps the session from ending cleanly (it runs and is not at a place where the protocol may end). */
  private blocks(laneId: number): boolean {
    const s = this.stateOf(laneId);
    if (s < 0) return false;
    const kind = this.program.kinds[s];
    // A waiting lane defers to its parallel lanes; an ended lane waits for its join.
    return kind !== FORK && kind !== END && this.program.final[s] !== 1;
  }

  /** True when the session may end cleanly now. */
  private canEnd(): boolean {
    for (let lane = 0; lane < this.program.lanes.length; lane++) if (this.blocks(lane)) return false;
    return true;
  }

  private laneStatus(laneId: number): string {
    const s = this.stateOf(laneId);
    if (s < 0) return `that lane has not started (its par has not been reached)`;
    const kind = this.program.kinds[s];
    if (kind === FORK) return `that lane waits for its parallel lanes to finish (${this.program.paths[s]})`;
    if (kind === END) return "that lane has finished";
    return `${this.program.role} is expected ${this.program.describeState(s)}`;
  }

  private pendingWork(): string {
    const work: string[] = [];
    for (let lane = 0; lane < this.program.lanes.length; lane++) {
      if (this.blocks(lane)) work.push(`${this.program.laneName(lane)} expects ${this.program.describeState(this.stateOf(lane))}`);
    }
    return work.join("; ");
  }

  /** Clean end: the protocol completed or the session closed at a point where it may end. */
  private finish(reason: string, notice: EndNotice): void {
    if (this.status !== "open") return;
    this.status = "done";
    this.connection.tap?.record(TAP_CLOSE, this.session, -1, this.program.role, "", reason);
    this.teardown(undefined, notice);
    this.settleClosed(undefined);
  }

  /**
   * Lets go of the session's lanes and sub-sessions, then tells the peer as `notice` says; `fault` is what
   * ended it (undefined: a clean end). Sub-sessions end first, and with a reset only when this side ended
   * this session: when the peer did, it had ended every sub-session it knew before (and said so).
   */
  private teardown(fault: Error | undefined, notice: EndNotice): void {
    for (let lane = 0; lane < this.program.lanes.length; lane++) {
      const use = this.useOf(lane);
      // Errors are made only for someone to hear them: capturing a stack costs microseconds a session.
      if (use instanceof LaneInbox) use.end(fault ?? this.afterEnd("a pending recv()/offer()"), fault !== undefined);
      else this.setUse(lane, undefined); // serve() handlers take nothing more
    }
    const sessions = this.connection.sessions;
    if (sessions.get(this.session) === (this as unknown as Endpoint)) sessions.delete(this.session);
    const extras = this.extras;
    if (extras !== undefined) {
      extras.sessionHandlers = undefined;
      if (extras.children > 0) {
        extras.children = 0;
        const cause = this.fault;
        // One fault for all of them: a link's session may have 100,000 sub-sessions, and an error each
        // (a stack captured each) would stall the process for seconds when the link drops.
        let childFault: SessionFault | undefined;
        for (const child of [...sessions.values()]) {
          if (child.parent === (this as unknown as Endpoint)) {
            childFault ??= new SessionFault(`parent session ${this.session} ended${cause === undefined ? "" : `: ${cause.message}`}`, { cause });
            child.fail(childFault, notice === "reset" ? "reset" : "none");
          }
        }
      }
    }
    const parentExtras = this.parent?.extras;
    if (parentExtras !== undefined && parentExtras.children > 0) parentExtras.children--;
    this.connection.tellPeer(this as unknown as Endpoint, notice, fault);
  }

  /** Tells whoever waits that the session ended (the `closed` promise and onEnd listeners). */
  private settleClosed(error: Error | undefined): void {
    const first = this.endListener;
    this.endListener = undefined;
    const extras = this.extras;
    if (extras !== undefined) {
      extras.resolveClosed?.(error);
      extras.resolveClosed = undefined;
    }
    if (first !== undefined) tell(first, error);
    const more = extras?.moreEndListeners;
    if (extras !== undefined) extras.moreEndListeners = undefined;
    if (more !== undefined) for (const listener of more) tell(listener, error);
  }
}

/** The largest session id (a frame header's varint). */
const MAX_SESSION_ID = 0xffff_ffff;

function tell(listener: SessionEndListener, error: Error | undefined): void {
  if (typeof listener === "function") listener(error);
  else listener.sessionEnded(error);
}
