/** Traffic counters of one session mux, for benchmarks, introspection and flow control. */
export interface SessionMuxStats {
  /** Carrier messages written (each holds one batch of frames). */
  readonly messagesOut: number;
  /** Frames queued for sending, session resets included. */
  readonly framesOut: number;
  /** Bytes of carrier messages written. */
  readonly bytesOut: number;
  /** Frames sent with a deflated payload. */
  readonly compressedFramesOut: number;
  /** Payload bytes compression kept off the wire (encoded size minus sent size, summed). */
  readonly bytesSavedByCompression: number;
  /** Carrier messages received. */
  readonly messagesIn: number;
  /** Frames read from them (including dropped ones for closed sessions). */
  readonly framesIn: number;
  /** Bytes of carrier messages received. */
  readonly bytesIn: number;
}
