/**
 * Endpoints: one role's live side of one session. Every inbound message is checked against the
 * steps the role program enables in its lane, validated with its schema and only then delivered;
 * every send must be a permitted step. The first fault ends the session (and its sub-sessions),
 * rejects every pending operation on every lane and closes the session wire with that error.
 */
import { AffineViolation, ChoreographyError, LabelMismatch, PhaseInvariant, SchemaMismatch, SessionFault, TransportError } from "./errors.js";
import type { Event } from "./global.js";
import { Lane } from "./lane.js";
import type { Handlers, OfferOf, RecvLabel, RecvPayload, SendLabel, SendPayload, SentBy, SessionHandler, SessionOf } from "./endpoint-types.js";
import type { MessageSpec, MessageWithLabel } from "./message.js";
import { END, FORK, RECV, SEND, type RoleProgram } from "./role-program.js";
import type { Family } from "./session-family.js";
import { TAP_CLOSE, TAP_FAULT, TAP_OPEN, TAP_RECV, TAP_ROUTE, TAP_SEND, TapRing } from "./tap-ring.js";
import type { SessionMux, SessionWire, SessionWireHandlers } from "./wire.js";

/** Options for createEndpoint. */
export interface EndpointOptions {
  /** Session id of this endpoint on the mux (default 0, the connection's first session). */
  readonly session?: number;
  /** Where to record events; shared by every sub-session. Default: a new 256-entry ring; null: no recording. */
  readonly tap?: TapRing | null;
  /**
   * Validate outbound payloads with their schemas too (default true). Types already check them at
   * compile time; hot paths that trust their own data may turn this off.
   */
  readonly checkOutbound?: boolean;
}

/** What the sessions of one connection share. */
interface Connection {
  readonly mux: SessionMux;
  readonly sessions: Map<number, Endpoint>;
  readonly tap: TapRing | null;
  readonly checkOutbound: boolean;
}

/** "open" while running; "done" after a clean end; "faulted" after the first fault. */
export type EndpointStatus = "open" | "done" | "faulted";

type AnySessionHandler = (session: Endpoint, announcement: unknown) => void;

/**
 * Starts role `program.role` of a protocol on session `options.session` (default 0) of `mux`.
 * The program must talk to a single peer: a connection joins exactly two parties.
 */
export function createEndpoint<E extends Event, R extends string>(program: RoleProgram<E, R>, mux: SessionMux, options: EndpointOptions = {}): Endpoint<E, R> {
  if (program.peers.length > 1) {
    throw new PhaseInvariant(`role ${program.role} talks to ${program.peers.join(" and ")}; an endpoint runs over one connection, so its program may have one peer only`);
  }
  const session = options.session ?? 0;
  const connection: Connection = {
    mux,
    sessions: new Map(),
    tap: options.tap === undefined ? new TapRing() : options.tap,
    checkOutbound: options.checkOutbound ?? true,
  };
  return new Endpoint(program, connection, mux.open(session), undefined);
}

/** One role's side of one session: lanes, sub-sessions and the session's end. */
export class Endpoint<E extends Event = Event, R extends string = string> {
  /** The session id on the connection. */
  readonly session: number;
  private status: EndpointStatus = "open";
  private faultError: Error | undefined = undefined;
  private readonly lanes: Lane<E, R>[];
  // What follows is made on first use: a connection may carry many sessions, most of which never
  // announce sub-sessions or get awaited, and each would otherwise cost these.
  private children: Set<Endpoint> | undefined;
  private sessionHandlers: Map<string, AnySessionHandler> | undefined;
  private closedPromise: Promise<Error | undefined> | undefined;
  private resolveClosed: ((error: Error | undefined) => void) | undefined;
  private endCallbacks: ((error: Error | undefined) => void) | ((error: Error | undefined) => void)[] | undefined;

  /** @internal Use createEndpoint(); sub-session endpoints are made by their announcements. */
  constructor(
    /** The role program this endpoint runs. */
    readonly program: RoleProgram<E, R>,
    private readonly connection: Connection,
    private readonly wire: SessionWire,
    private readonly parent: Endpoint | undefined,
  ) {
    this.session = wire.session;
    this.lanes = program.lanes.map((info) => new Lane(this, info.id));
    connection.sessions.set(this.session, this as unknown as Endpoint);
    this.advance(this.lanes[0]!, program.start);
    wire.attach(new WireHandlers(this as unknown as Endpoint));
  }

  /** Resolves when the session ends: undefined for a clean end, or the fault that ended it. Never rejects. */
  get closed(): Promise<Error | undefined> {
    if (this.closedPromise === undefined) {
      this.closedPromise =
        this.status === "open" ? new Promise((resolve) => (this.resolveClosed = resolve)) : Promise.resolve(this.faultError);
    }
    return this.closedPromise;
  }

  /**
   * Calls `callback` once when the session ends, with the fault or undefined for a clean end (at once
   * if it already has). Cheaper than `closed` where a connection carries many sessions.
   */
  onEnd(callback: (error: Error | undefined) => void): void {
    if (this.status !== "open") {
      callback(this.faultError);
      return;
    }
    const callbacks = this.endCallbacks;
    if (callbacks === undefined) this.endCallbacks = callback;
    else if (typeof callbacks === "function") this.endCallbacks = [callbacks, callback];
    else callbacks.push(callback);
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
    return this.faultError;
  }

  /** A lane by id (0 is the main lane) or by the name given in `par({ name: ... })`. */
  lane(lane: number | string): Lane<E, R> {
    const id = this.program.laneId(lane);
    if (id < 0) throw new PhaseInvariant(`${this.program.name} has no lane ${JSON.stringify(lane)}; it has lanes 0..${this.lanes.length - 1}`);
    return this.lanes[id]!;
  }

  /** Sends on lane 0; see Lane.send. */
  send<L extends SendLabel<E, R>>(label: L, payload: SendPayload<E, R, L>): SessionOf<MessageWithLabel<SentBy<E, R>, L>, R> {
    return this.lanes[0]!.send(label, payload);
  }

  /** Receives on lane 0; see Lane.recv. */
  recv<L extends RecvLabel<E, R>>(label: L): Promise<RecvPayload<E, R, L>> {
    return this.lanes[0]!.recv(label);
  }

  /** Offers on lane 0; see Lane.offer. */
  offer(): Promise<OfferOf<E, R>> {
    return this.lanes[0]!.offer();
  }

  /** Serves lane 0; see Lane.serve. */
  serve(handlers: Handlers<E, R>): void {
    this.lanes[0]!.serve(handlers);
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
    const handlers = (this.sessionHandlers ??= new Map());
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
    this.finish("closed by the application");
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
    const how = this.fault === undefined ? "cleanly" : `with ${this.fault.name}: ${this.fault.message}`;
    return new PhaseInvariant(`${op} on session ${this.session} (${this.program.role}) after it ended ${how}`, { cause: this.fault });
  }

  /** @internal Ends the session with `error` if it is still open; returns `error` for throwing. */
  fail(error: Error): Error {
    if (this.status !== "open") return error;
    this.status = "faulted";
    this.faultError = error;
    this.connection.tap?.record(TAP_FAULT, this.session, -1, this.program.role, "", `${error.name}: ${error.message}`);
    this.teardown(error, true);
    try {
      this.wire.close(error);
    } catch {
      // The wire is gone already; the fault stands.
    }
    this.settleClosed(error);
    return error;
  }

  /** @internal Sends `label` on `lane`: the whole step check, announcement, advance and wire send. */
  sendOn(lane: Lane<E, R>, label: string, payload: unknown): unknown {
    if (this.status !== "open") throw this.afterEnd(`send(${label})`);
    const program = this.program;
    const id = program.catalog.ids.get(label);
    if (id === undefined) throw this.fail(new LabelMismatch(`send(${label}): "${label}" is not a label of this protocol`));
    if (lane.backlog > 0) {
      throw this.fail(
        new PhaseInvariant(`send(${label}) on ${this.where(lane.id)} while ${lane.backlog} received message(s) there are not taken yet (next: ${lane.nextLabel()}); recv() them first`),
      );
    }
    const state = lane.state;
    const kind = state < 0 ? 0 : program.kinds[state];
    if (kind !== SEND) throw this.fail(new PhaseInvariant(`send(${label}) on ${this.where(lane.id)}, but ${this.laneStatus(lane)}`));
    const slot = state * program.labelCount + id;
    const next = program.next[slot]!;
    if (next < 0) throw this.fail(new LabelMismatch(`send(${label}) on ${this.where(lane.id)}, but ${program.role} is expected ${program.describeState(state)}`));
    const spec = program.catalog.specs[id]!;
    let value = payload;
    if (this.connection.checkOutbound) {
      try {
        value = spec.schema.parse(payload);
      } catch (error) {
        throw this.fail(this.schemaFault("sent", spec, lane.id, error));
      }
    }
    let sub: Endpoint | undefined;
    if (spec.opens !== undefined) {
      sub = this.openSubSession(spec, value, lane.id);
      if (sub === undefined) throw this.faultError!;
    }
    this.record(TAP_SEND, lane.id, spec.label, slot);
    const complete = this.advance(lane, next);
    try {
      this.wire.send(lane.id, id, value);
    } catch (error) {
      throw this.fail(error instanceof ChoreographyError ? error : new TransportError(`sending ${label} on ${this.where(lane.id)} failed: ${String(error)}`, { cause: error }));
    }
    if (complete) this.finish("protocol complete");
    return sub;
  }

  /** Inbound message from the wire: checked against the lane's enabled steps before anything else. */
  /** @internal An inbound message from the wire: checked against the program, then delivered. */
  receiveFromWire(laneId: number, label: number, payload: unknown): void {
    if (this.status !== "open") return;
    const program = this.program;
    const lane = this.lanes[laneId];
    if (lane === undefined) {
      this.fail(new PhaseInvariant(`session ${this.session} (${program.role}) received a message on lane ${laneId}, but ${program.name} has lanes 0..${this.lanes.length - 1}`));
      return;
    }
    if (!(label >= 0 && label < program.labelCount && Number.isInteger(label))) {
      this.fail(new LabelMismatch(`${this.where(laneId)} received unknown label id ${String(label)}; the protocol has ${program.labelCount} labels`));
      return;
    }
    const spec = program.catalog.specs[label]!;
    const state = lane.state;
    if (state < 0 || program.kinds[state] !== RECV) {
      this.fail(new PhaseInvariant(`${this.where(laneId)} received ${spec.label}, but ${this.laneStatus(lane)}`));
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
      sub = this.openSubSession(spec, value, laneId);
      if (sub === undefined) return;
    }
    this.record(TAP_RECV, laneId, spec.label, slot);
    const complete = this.advance(lane, next);
    if (sub !== undefined) this.announced(spec.opens!.name, sub, value);
    lane.deliver(label, value, sub);
    if (complete) this.finish("protocol complete");
  }

  /** @internal The wire closed (cleanly, or with the error that ended it). */
  closeFromWire(error: Error | undefined): void {
    if (this.status !== "open") return;
    if (error === undefined) {
      if (this.canEnd()) this.finish("closed by the peer");
      else this.fail(new TransportError(`session ${this.session} (${this.program.role}) was closed by the peer while ${this.pendingWork()}`));
    } else {
      this.fail(
        error instanceof ChoreographyError ? error : new TransportError(`session ${this.session} (${this.program.role}) lost its connection: ${error.message}`, { cause: error }),
      );
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
  private openSubSession(spec: MessageSpec, payload: unknown, lane: number): Endpoint | undefined {
    const family = spec.opens!;
    let id: number;
    try {
      id = spec.sessionIdOf(payload);
    } catch (error) {
      this.fail(new SchemaMismatch(`${spec.label} on ${this.where(lane)}: its session id could not be read: ${String((error as Error)?.message ?? error)}`, { cause: error }));
      return undefined;
    }
    if (!Number.isSafeInteger(id) || id < 0) {
      this.fail(new SchemaMismatch(`${spec.label} on ${this.where(lane)} announces session id ${String(id)}; session ids are non-negative integers`));
      return undefined;
    }
    if (this.connection.sessions.has(id)) {
      this.fail(new AffineViolation(`${spec.label} on ${this.where(lane)} announces session ${id}, which is already open on this connection; session ids are never reused`));
      return undefined;
    }
    let wire: SessionWire;
    try {
      wire = this.connection.mux.open(id);
    } catch (error) {
      this.fail(new AffineViolation(`${spec.label} on ${this.where(lane)} announces session ${id}, which the connection cannot open: ${String((error as Error)?.message ?? error)}`, { cause: error }));
      return undefined;
    }
    const sub = new Endpoint(this.program.families.get(family.name)!, this.connection, wire, this as unknown as Endpoint);
    (this.children ??= new Set()).add(sub);
    this.connection.tap?.record(TAP_OPEN, id, -1, this.program.role, spec.label, `${family.name} session announced on session ${this.session}`);
    return sub;
  }

  /** Hands a sub-session the peer announced to the application (a throwing handler fails only that sub-session). */
  private announced(familyName: string, sub: Endpoint, payload: unknown): void {
    const handler = this.sessionHandlers?.get(familyName);
    if (handler === undefined) return;
    try {
      handler(sub, payload);
    } catch (error) {
      sub.fail(new SessionFault(`the onSession handler for ${familyName} session ${sub.session} threw: ${String((error as Error)?.message ?? error)}`, { cause: error }));
    }
  }

  /**
   * Moves `lane` to state `s`, starting the lanes of a fork and joining finished lanes into their
   * parent. Returns true when lane 0 reached the end of the protocol.
   */
  private advance(lane: Lane<E, R>, s: number): boolean {
    const program = this.program;
    for (;;) {
      lane.state = s;
      const kind = program.kinds[s];
      if (kind === FORK) {
        const fork = program.forks[s]!;
        lane.pendingChildren = fork.lanes.length;
        let complete = false;
        for (let i = 0; i < fork.lanes.length; i++) {
          if (this.advance(this.lanes[fork.lanes[i]!]!, fork.starts[i]!)) complete = true;
        }
        return complete;
      }
      if (kind !== END) return false;
      const parentId = program.lanes[lane.id]!.parent;
      if (parentId < 0) return true;
      const parent = this.lanes[parentId]!;
      if (--parent.pendingChildren > 0) return false;
      s = program.forks[parent.state]!.next;
      lane = parent;
    }
  }

  /** True when `lane` keeps the session from ending cleanly (it runs and is not at a place where the protocol may end). */
  private blocks(lane: Lane<E, R>): boolean {
    const s = lane.state;
    if (s < 0) return false;
    const kind = this.program.kinds[s];
    // A waiting lane defers to its parallel lanes; an ended lane waits for its join.
    return kind !== FORK && kind !== END && this.program.final[s] !== 1;
  }

  /** True when the session may end cleanly now. */
  private canEnd(): boolean {
    return !this.lanes.some((lane) => this.blocks(lane));
  }

  private laneStatus(lane: Lane<E, R>): string {
    const s = lane.state;
    if (s < 0) return `that lane has not started (its par has not been reached)`;
    const kind = this.program.kinds[s];
    if (kind === FORK) return `that lane waits for its parallel lanes to finish (${this.program.paths[s]})`;
    if (kind === END) return "that lane has finished";
    return `${this.program.role} is expected ${this.program.describeState(s)}`;
  }

  private pendingWork(): string {
    return this.lanes.filter((l) => this.blocks(l)).map((l) => `${this.program.laneName(l.id)} expects ${this.program.describeState(l.state)}`).join("; ");
  }

  /** Clean end: the protocol completed or the session closed at a point where it may end. */
  private finish(reason: string): void {
    if (this.status !== "open") return;
    this.status = "done";
    this.connection.tap?.record(TAP_CLOSE, this.session, -1, this.program.role, "", reason);
    this.teardown(this.afterEnd("a pending recv()/offer()"), false);
    try {
      this.wire.close();
    } catch {
      // Already closed below us.
    }
    this.settleClosed(undefined);
  }

  private teardown(error: Error, faulted: boolean): void {
    for (const lane of this.lanes) lane.end(error, faulted);
    const children = this.children;
    this.children = undefined;
    if (children !== undefined) {
      for (const child of children) {
        child.fail(new SessionFault(`parent session ${this.session} ended${this.fault === undefined ? "" : `: ${this.fault.message}`}`, { cause: this.fault }));
      }
    }
    this.sessionHandlers = undefined;
    if (this.connection.sessions.get(this.session) === (this as unknown as Endpoint)) this.connection.sessions.delete(this.session);
    this.parent?.children?.delete(this as unknown as Endpoint);
  }

  /** Tells whoever waits that the session ended (the `closed` promise and onEnd callbacks). */
  private settleClosed(error: Error | undefined): void {
    this.resolveClosed?.(error);
    this.resolveClosed = undefined;
    const callbacks = this.endCallbacks;
    this.endCallbacks = undefined;
    if (typeof callbacks === "function") callbacks(error);
    else if (callbacks !== undefined) for (const callback of callbacks) callback(error);
  }
}

/** What the wire calls: an adapter rather than two closures per session. */
class WireHandlers implements SessionWireHandlers {
  constructor(private readonly endpoint: Endpoint) {}

  receive(lane: number, label: number, payload: unknown): void {
    this.endpoint.receiveFromWire(lane, label, payload);
  }

  close(error: Error | undefined): void {
    this.endpoint.closeFromWire(error);
  }
}
