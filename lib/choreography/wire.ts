/**
 * The seam between the choreography runtime and whatever carries its messages (bindings/).
 * The runtime sees one connection of messages tagged with their session, decoded on its demand; framing,
 * payload codecs, compression and byte limits all live below this line, and which sessions exist is
 * the runtime's business alone (a connection may carry hundreds of thousands of sessions, so the
 * binding keeps nothing per session).
 */

/**
 * A received payload, still as bytes: it is decoded only when a live session takes it, so a frame that
 * no session takes costs no decoding.
 */
export interface InboundPayload {
  /**
   * The payload's value, decoded by the binding's payload codec but not yet validated. Throws a
   * ChoreographyError (a CodecError) for bytes that cannot be decoded; let it escape `receive`, which
   * makes it a connection-level violation. Valid only during the `receive` call that handed it over.
   * A payload sent as a Uint8Array decodes to a Uint8Array of its own (not the codec's), which the
   * caller may keep.
   */
  decode(): unknown;
}

/** What a SessionMux tells the runtime (the connection's single consumer). */
export interface SessionMuxHandlers {
  /**
   * One inbound message. Throwing a ChoreographyError here (a payload that cannot be decoded, a frame
   * for no live session) is a connection-level violation: the mux stops reading and closes the
   * connection with it.
   */
  receive(session: number, lane: number, label: number, payload: InboundPayload): void;
  /**
   * The peer ended session `session` (a reset frame): `error` undefined when it closed it cleanly, a
   * SessionFault carrying its reason otherwise. Called for any id the peer names; throwing a
   * ChoreographyError here is a connection-level violation, as in `receive`.
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
   * parallel lane index. Throws (a TransportError) when the connection is gone. A Uint8Array payload
   * travels as raw bytes, never through the payload codec; it must not change after the call.
   */
  send(session: number, lane: number, label: number, payload: unknown): void;
  /**
   * Tells the peer that session `session` ended here: cleanly without `error`, else with it (the peer's
   * side ends with a SessionFault carrying its message). The runtime sends one per session end, also to
   * answer the peer's, so each side learns when the other will send nothing more on that session.
   * Does nothing once the connection is gone.
   */
  endSession(session: number, error?: Error): void;
  /** Ends the connection (and with it every session). Idempotent. */
  close(error?: Error): void;
  /** Registers a handler for the end of the whole connection. */
  onClose(handler: (error: Error | undefined) => void): void;
}
