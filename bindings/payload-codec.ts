import type { BindingLimits } from "./limits.js";

/**
 * Turns message payloads into bytes and back; pluggable per session mux (JSON by default). `decode`
 * receives bytes straight from the network and must throw (preferably a CodecError) on anything it
 * cannot decode; it must never return a half-decoded value. A session mux gives it the receiving side's
 * limits, so a codec can refuse what would be costly to decode (the JSON codec checks `maxJsonDepth`
 * before parsing; without limits it uses DEFAULT_BINDING_LIMITS); the size limits are already enforced
 * when it runs.
 */
export interface PayloadCodec {
  /** Short name for logs and error messages, e.g. "json". */
  readonly name: string;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array, limits?: BindingLimits): unknown;
}
