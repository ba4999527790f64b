/**
 * Test double: a pair of in-memory SessionMux ends. Frames travel in one ordered queue per direction
 * (like one carrier), delivered synchronously or on a microtask; payloads take a JSON round trip like
 * the default codec, and are handed over as payloads the consumer decodes on demand. Faults can be
 * injected: raw frames, session ends (e.g. with a CodecError) and a broken connection. Like the real
 * binding, it keeps nothing per session: which sessions exist is the runtime's business.
 */
import { ChoreographyError, PhaseInvariant, SessionFault, TransportError } from "../../lib/choreography/errors.js";
import type { InboundPayload, SessionMux, SessionMuxHandlers } from "../../lib/choreography/wire.js";

type Frame =
  | { readonly type: "data"; readonly session: number; readonly lane: number; readonly label: number; readonly payload: unknown }
  | { readonly type: "end"; readonly session: number; readonly error: Error | undefined };

/** Delivery mode: "sync" delivers inside send(); "microtask" batches frames and delivers them on a microtask. */
export type Delivery = "sync" | "microtask";

/** One end of a loopback connection. */
export class LoopbackMux implements SessionMux {
  peer!: LoopbackMux;
  closed = false;
  /** Every frame this side sent, in order (before the JSON round trip). */
  readonly sentFrames: { session: number; lane: number; label: number; payload: unknown }[] = [];
  /** Sessions this side told the peer it ended, in order, with the error (undefined: clean). */
  readonly endedSessions: { session: number; error: Error | undefined }[] = [];
  /** Exceptions that escaped the consumer's handlers other than ChoreographyErrors, which end the connection (must stay empty). */
  readonly escaped: unknown[] = [];
  /** How many received payloads the consumer decoded. */
  decoded = 0;
  /** The error the connection ended with (undefined while open or after a clean close). */
  closeError: Error | undefined;
  private handlers: SessionMuxHandlers | undefined;
  /** Sessions this side sent on and that were not ended since, either way (see openSessions). */
  private readonly live = new Set<number>();
  private readonly inbox: Frame[] = [];
  private scheduled = false;
  private readonly closeHandlers: ((error: Error | undefined) => void)[] = [];

  constructor(readonly delivery: Delivery) {}

  attach(handlers: SessionMuxHandlers): void {
    if (this.handlers !== undefined) throw new PhaseInvariant("loopback: attach() called twice");
    this.handlers = handlers;
    if (this.closed) handlers.closed(this.closeError);
    else this.flush();
  }

  send(session: number, lane: number, label: number, payload: unknown): void {
    if (this.closed) throw new TransportError(`loopback: session ${session}: the connection is closed`);
    this.sentFrames.push({ session, lane, label, payload });
    this.live.add(session);
    const copy = payload === undefined ? undefined : JSON.parse(JSON.stringify(payload));
    this.peer.enqueue({ type: "data", session, lane, label, payload: copy });
  }

  endSession(session: number, error?: Error): void {
    if (this.closed) return;
    this.endedSessions.push({ session, error });
    this.live.delete(session);
    const told = error === undefined ? undefined : new SessionFault(`the peer ended session ${session}: ${error.name}: ${error.message}`, { cause: error });
    this.peer.enqueue({ type: "end", session, error: told });
  }

  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = error;
    this.live.clear();
    this.handlers?.closed(error);
    for (const h of this.closeHandlers) h(error);
    this.peer.close(error === undefined ? undefined : new TransportError(`loopback: the peer closed the connection: ${error.message}`, { cause: error }));
  }

  onClose(handler: (error: Error | undefined) => void): void {
    this.closeHandlers.push(handler);
  }

  /** Sessions this side sent on and that neither side has ended since, in id order. */
  openSessions(): number[] {
    return [...this.live].sort((x, y) => x - y);
  }

  /** Delivers a frame to this side as if the peer had sent it (for hostile-peer tests). */
  inject(session: number, lane: number, label: number, payload: unknown): void {
    this.enqueue({ type: "data", session, lane, label, payload });
  }

  /** Ends one session on this side as a peer's reset would, with `error`. */
  failSession(session: number, error: Error): void {
    this.enqueue({ type: "end", session, error });
  }

  /** @internal */
  enqueue(frame: Frame): void {
    if (this.closed) return;
    this.inbox.push(frame);
    if (this.handlers === undefined) return; // held until attach()
    if (this.delivery === "sync") {
      this.flush();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    // Frames are looked at one by one: a session announced by one frame is open for the next.
    while (this.inbox.length > 0 && !this.closed) this.route(this.inbox.shift()!);
    this.inbox.length = 0;
  }

  private route(frame: Frame): void {
    const handlers = this.handlers!;
    try {
      if (frame.type === "data") {
        const payload: InboundPayload = {
          decode: () => {
            this.decoded++;
            return frame.payload;
          },
        };
        handlers.receive(frame.session, frame.lane, frame.label, payload);
      } else {
        this.live.delete(frame.session);
        handlers.sessionEnded(frame.session, frame.error);
      }
    } catch (error) {
      // What the consumer refuses (a frame for a session never announced) ends the connection, as in the binding.
      if (error instanceof ChoreographyError) this.close(new TransportError(`loopback: ${error.message}`, { cause: error }));
      else this.escaped.push(error);
    }
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
