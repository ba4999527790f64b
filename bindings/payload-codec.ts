/**
 * Turns message payloads into bytes and back; pluggable per session mux (JSON by default). `decode`
 * receives bytes straight from the network and must throw (preferably a CodecError) on anything it
 * cannot decode; it must never return a half-decoded value.
 */
export interface PayloadCodec {
  /** Short name for logs and error messages, e.g. "json". */
  readonly name: string;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}
