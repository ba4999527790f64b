import type { SessionMux, SessionMuxHandlers } from "../choreography/index.js";

/** What a mux hands its consumer for one frame. */
type InboundPayload = Parameters<SessionMuxHandlers["receive"]>[3];

/** Who is told that the peer sent something (a link's control session, for its keep-alive). */
export interface ActivityListener {
  heard(): void;
}

/**
 * `mux` as it is, except that `listener.heard()` is called for everything the peer sends (each frame,
 * each session end) before it is handed on: a link's keep-alive then counts any traffic as a sign of
 * life, not only its pings, so a peer busy sending states is never taken for a silent one. One object
 * is both the mux its consumer sees and the handlers it attaches below (a router keeps one per link).
 */
export class PeerActivity implements SessionMux, SessionMuxHandlers {
  private handlers: SessionMuxHandlers | undefined;

  constructor(
    private readonly mux: SessionMux,
    private readonly listener: ActivityListener,
  ) {}

  attach(handlers: SessionMuxHandlers): void {
    this.handlers = handlers;
    this.mux.attach(this);
  }

  send(session: number, lane: number, label: number, payload: unknown): void {
    this.mux.send(session, lane, label, payload);
  }

  endSession(session: number, error?: Error): void {
    this.mux.endSession(session, error);
  }

  close(error?: Error): void {
    this.mux.close(error);
  }

  onClose(handler: (error: Error | undefined) => void): void {
    this.mux.onClose(handler);
  }

  /** @internal */
  receive(session: number, lane: number, label: number, payload: InboundPayload): void {
    this.listener.heard();
    this.handlers!.receive(session, lane, label, payload);
  }

  /** @internal */
  sessionEnded(session: number, error: Error | undefined): void {
    this.listener.heard();
    this.handlers!.sessionEnded(session, error);
  }

  /** @internal */
  closed(error: Error | undefined): void {
    this.handlers!.closed(error);
  }
}
