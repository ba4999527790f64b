/**
 * A carrier is a raw, ordered, reliable, message-oriented byte pipe between two peers
 * (one WebSocket, or one in-memory pair). Carriers know bytes, never objects or protocols.
 */
export interface Carrier {
  /** Human-readable peer description for logs, e.g. "ws://127.0.0.1:3001" or "memory#3". */
  readonly peer: string;
  /** "open" until close() is called or the peer goes away; then "closed" for good. */
  readonly state: "open" | "closed";
  /** Bytes handed to send() but not yet written out; a sender may use it for backpressure. */
  readonly bufferedAmount: number;
  /**
   * Registers the single consumer. Messages that arrived before attach() are delivered
   * right after it, in order. Calling attach() twice throws.
   */
  attach(handlers: CarrierHandlers): void;
  /**
   * Sends one whole message. Throws CarrierClosedError once the carrier is closed. The carrier may
   * keep a reference to `bytes` until they are written, so do not modify them afterwards (the same
   * bytes may be sent on many carriers).
   */
  send(bytes: Uint8Array): void;
  /** Closes both directions; the close handler fires once with byPeer=false. Idempotent. */
  close(reason?: string): void;
}

/** What a carrier tells its consumer. */
export interface CarrierHandlers {
  message(bytes: Uint8Array): void;
  close(event: CarrierCloseEvent): void;
}

/** Why a carrier closed. */
export interface CarrierCloseEvent {
  /** Short human-readable reason ("closed by peer", "connection reset", the reason given to close()). */
  readonly reason: string;
  /** True when the other side (or the network) ended it, false when close() was called here. */
  readonly byPeer: boolean;
  /** Set when the carrier failed rather than closed cleanly. */
  readonly error?: Error;
}
