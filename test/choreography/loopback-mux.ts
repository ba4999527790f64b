/**
 * Test double: a pair of in-memory SessionMux ends. Frames travel in one ordered queue per direction
 * (like one carrier), delivered synchronously or on a microtask; payloads take a JSON round trip like
 * the default codec. Faults can be injected: raw frames, session failures (e.g. a CodecError) and a
 * broken connection.
 */
import { SessionFault, TransportError } from "../../lib/choreography/errors.js";
import type { SessionMux, SessionWire, SessionWireHandlers } from "../../lib/choreography/wire.js";

type Frame =
  | { readonly type: "data"; readonly session: number; readonly lane: number; readonly label: number; readonly payload: unknown }
  | { readonly type: "close"; readonly session: number; readonly error: Error | undefined };

/** Delivery mode: "sync" delivers inside send(); "microtask" batches frames and delivers them on a microtask. */
export type Delivery = "sync" | "microtask";

class LoopbackWire implements SessionWire {
  private handlers: SessionWireHandlers | undefined;
  private held: Frame[] = [];
  closed = false;

  constructor(
    private readonly mux: LoopbackMux,
    readonly session: number,
  ) {}

  send(lane: number, label: number, payload: unknown): void {
    if (this.closed || this.mux.closed) throw new TransportError(`loopback: session ${this.session} is closed`);
    this.mux.sentFrames.push({ session: this.session, lane, label, payload });
    const copy = payload === undefined ? undefined : JSON.parse(JSON.stringify(payload));
    this.mux.peer.enqueue({ type: "data", session: this.session, lane, label, payload: copy });
  }

  attach(handlers: SessionWireHandlers): void {
    if (this.handlers !== undefined) throw new Error("loopback: attach() called twice");
    this.handlers = handlers;
    const held = this.held;
    this.held = [];
    for (const f of held) this.deliver(f);
  }

  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.mux.forget(this.session);
    const told = error === undefined ? undefined : new SessionFault(`the peer ended session ${this.session}: ${error.name}: ${error.message}`, { cause: error });
    if (!this.mux.closed) this.mux.peer.enqueue({ type: "close", session: this.session, error: told });
  }

  /** Delivers a frame from the peer (or a local failure) to the endpoint. */
  deliver(frame: Frame): void {
    if (this.handlers === undefined) {
      this.held.push(frame);
      return;
    }
    if (frame.type === "data") {
      if (!this.closed) this.handlers.receive(frame.lane, frame.label, frame.payload);
    } else if (!this.closed) {
      this.closed = true;
      this.mux.forget(this.session);
      this.handlers.close(frame.error);
    }
  }
}

/** One end of a loopback connection. */
export class LoopbackMux implements SessionMux {
  peer!: LoopbackMux;
  closed = false;
  /** Every frame this side sent, in order (before the JSON round trip). */
  readonly sentFrames: { session: number; lane: number; label: number; payload: unknown }[] = [];
  /** Exceptions that escaped an endpoint's wire handlers (must stay empty). */
  readonly escaped: unknown[] = [];
  /** The error the connection ended with (undefined while open or after a clean close). */
  closeError: Error | undefined;
  private readonly wires = new Map<number, LoopbackWire>();
  private readonly used = new Set<number>();
  private readonly inbox: Frame[] = [];
  private scheduled = false;
  private readonly closeHandlers: ((error: Error | undefined) => void)[] = [];

  constructor(readonly delivery: Delivery) {}

  open(session: number): SessionWire {
    if (this.closed) throw new TransportError("loopback: the connection is closed");
    if (this.used.has(session)) throw new Error(`loopback: session ${session} was already opened on this connection`);
    this.used.add(session);
    const wire = new LoopbackWire(this, session);
    this.wires.set(session, wire);
    return wire;
  }

  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = error;
    const wires = [...this.wires.values()];
    this.wires.clear();
    for (const w of wires) w.deliver({ type: "close", session: w.session, error });
    for (const h of this.closeHandlers) h(error);
    this.peer.close(error === undefined ? undefined : new TransportError(`loopback: the peer closed the connection: ${error.message}`, { cause: error }));
  }

  onClose(handler: (error: Error | undefined) => void): void {
    this.closeHandlers.push(handler);
  }

  /** Ids of sessions currently open on this side. */
  openSessions(): number[] {
    return [...this.wires.keys()];
  }

  /** Delivers a frame to this side as if the peer had sent it (for hostile-peer tests). */
  inject(session: number, lane: number, label: number, payload: unknown): void {
    this.enqueue({ type: "data", session, lane, label, payload });
  }

  /** Fails one session on this side as the binding would (e.g. with a CodecError). */
  failSession(session: number, error: Error): void {
    this.enqueue({ type: "close", session, error });
  }

  /** @internal */
  forget(session: number): void {
    this.wires.delete(session);
  }

  /** @internal */
  enqueue(frame: Frame): void {
    if (this.closed) return;
    if (this.delivery === "sync") {
      this.route(frame);
      return;
    }
    this.inbox.push(frame);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    // Frames of one batch are looked at one by one: a session announced by one frame is open for the next.
    while (this.inbox.length > 0 && !this.closed) this.route(this.inbox.shift()!);
    this.inbox.length = 0;
  }

  private route(frame: Frame): void {
    try {
      this.routeFrame(frame);
    } catch (error) {
      // An endpoint's handlers must never throw into the binding; record it for the tests to see.
      this.escaped.push(error);
    }
  }

  private routeFrame(frame: Frame): void {
    const wire = this.wires.get(frame.session);
    if (wire !== undefined) {
      wire.deliver(frame);
      return;
    }
    if (this.used.has(frame.session)) return; // late frame for a session that ended here: dropped
    if (frame.type === "data") this.close(new TransportError(`loopback: frame for session ${frame.session}, which was never announced`));
  }
}

/** A connected pair of loopback muxes. */
export function loopbackPair(delivery: Delivery = "microtask"): [LoopbackMux, LoopbackMux] {
  const a = new LoopbackMux(delivery);
  const b = new LoopbackMux(delivery);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** Resolves after queued microtasks (and frames they trigger) have run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
