/**
 * The bindings layer: everything between a raw byte carrier and the choreography runtime — framing,
 * session/lane multiplexing, payload codecs, compression and the limits on what is accepted.
 */
export { BindingOptionsError } from "./binding-options-error.js";
export {
  type CompressionOptions,
  type CompressionSettings,
  DEFAULT_COMPRESSION,
  type DeflateLevel,
  NO_COMPRESSION,
  deflatePayload,
  inflatePayload,
  resolveCompression,
} from "./compression.js";
export { EncodeCache, sharedEncodeCache } from "./encode-cache.js";
export { DEFAULT_FLOW_WINDOW_BYTES, FlowWindow } from "./flow-window.js";
export { type BatchSink, FrameBatchWriter, type FrameReader, readFrameBatch } from "./frame-batch.js";
export {
  FLAG_BINARY,
  FLAG_COMPRESSED,
  FLAG_RECEIPT,
  FLAG_RESET,
  type FrameHeader,
  MAX_FRAME_HEADER_BYTES,
  frameHeaderSize,
  readFrameHeader,
  writeFrameHeader,
} from "./frame-header.js";
export { jsonCodec } from "./json-codec.js";
export { type BindingLimits, DEFAULT_BINDING_LIMITS, resolveBindingLimits } from "./limits.js";
export type { PayloadCodec } from "./payload-codec.js";
export { type CarrierSessionMux, type SessionMuxOptions, createSessionMux } from "./session-mux.js";
export type { SessionMuxStats } from "./session-mux-stats.js";
export {
  type ByteCursor,
  MAX_VARUINT,
  MAX_VARUINT_BYTES,
  isVarUint,
  readVarUint,
  varUintSize,
  writeVarUint,
} from "./varint.js";
export { type EncodedPayload, decodePayload, encodePayload } from "./wire-payload.js";
