/**
 * The seam between the choreography runtime and whatever carries its messages (bindings/).
 * The runtime sees one connection of already-decoded messages tagged with their session; framing,
 * payload codecs, compression and byte limits all live below this line, and which sessions exist is
 * the runtime's business alone (a connection may carry hundreds of thousands of sessions, so the
 * binding keeps nothing per session).
 */

/** What a SessionMux tells the runtime (the connection's single consumer). */
export interface SessionMuxHandlers {
  /**
   * One inbound message, decoded by the binding's payload codec but not yet validated. Throwing a
   * ChoreographyError here is a connection-level violation: the mux closes the connection with it.
   */
  receive(session: number, lane: number, label: number, payload: unknown): void;
  /**
   * Session `session` ended below the runtime: `error` undefined when the peer closed it cleanly, a
   * SessionFault when the peer ended it with a fault, a CodecError when its payload could not be read
   * (the peer has been told). Called for ids the runtime may not know; it ignores those.
   */
  sessionEnded(session: number, error: Error | undefined): void;
  /** The whole connection ended: undefined for a clean close, or why (a TransportError, a violation, ...). */
  closed(error: Error | undefined): void;
}

/**
 * Many sessions multiplexed over one connection, by id. Sessions are opened by protocol messages
 * (session family announcements) that the runtime checks; the mux only carries frames. Inbound frames
 * are handed over one by one, synchronously, so a session announced by one frame is open for the next.
 */
export interface SessionMux {
  /**
   * Registers the single consumer. Frames that arrived before are held and handed over now, in order;
   * if the connection already ended, `closed` follows them.
   */
  attach(handlers: SessionMuxHandlers): void;
  /**
   * Sends one message of session `session`: `label` is the protocol's numeric label id, `lane` the
   * parallel lane index. Throws (a TransportError) when the connection is gone.
   */
  send(session: number, lane: number, label: number, payload: unknown): void;
  /**
   * Tells the peer that session `session` ended here: cleanly without `error`, else with it (the peer's
   * side ends with a SessionFault carrying its message). Does nothing once the connection is gone.
   */
  endSession(session: number, error?: Error): void;
  /** Ends the connection (and with it every session). Idempotent. */
  close(error?: Error): void;
  /** Registers a handler for the end of the whole connection. */
  onClose(handler: (error: Error | undefined) => void): void;
}
