/**
 * The seam between the choreography runtime and whatever carries its messages (bindings/).
 * The runtime sees sessions of already-decoded messages; framing, payload codecs, compression
 * and byte limits all live below this line.
 */

/** One session's ordered, reliable message pipe, as an endpoint sees it. */
export interface SessionWire {
  /** The session id on the shared connection (0 is the connection's first session). */
  readonly session: number;
  /**
   * Sends one message. `label` is the protocol's numeric label id, `lane` the parallel lane index.
   * Throws (a TransportError from ./errors) when the connection is gone.
   */
  send(lane: number, label: number, payload: unknown): void;
  /** Registers the single consumer; inbound messages before attach() are held and delivered after it. */
  attach(handlers: SessionWireHandlers): void;
  /** Ends this session only (other sessions on the connection continue). Idempotent. */
  close(error?: Error): void;
}

/** What a session wire tells its endpoint. */
export interface SessionWireHandlers {
  /** One inbound message, decoded by the binding's payload codec but not yet validated. */
  receive(lane: number, label: number, payload: unknown): void;
  /**
   * The session ended: `error` undefined for a clean close, or the fault that ended it
   * (a CodecError when a payload could not be decoded, a TransportError when the connection died, ...).
   */
  close(error: Error | undefined): void;
}

/**
 * Many sessions multiplexed over one connection. Sessions are opened by id on both sides; the id is
 * agreed by a protocol message (a session family announcement), so a frame for an id that was not
 * opened is a protocol violation that ends the whole connection.
 */
export interface SessionMux {
  /**
   * Opens (admits) session `session`. Must be callable synchronously while an inbound message is being
   * delivered, so an announcement admits the session before the next frame on the wire is looked at.
   * Opening an id that is already open throws.
   */
  open(session: number): SessionWire;
  /** Ends every session and the connection. Idempotent. */
  close(error?: Error): void;
  /** Registers a handler for the end of the whole connection. */
  onClose(handler: (error: Error | undefined) => void): void;
}
