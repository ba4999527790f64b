import { CodecError } from "../lib/choreography/errors.js";
import { type CompressionSettings, deflatePayload, inflatePayload } from "./compression.js";
import type { BindingLimits } from "./limits.js";
import type { PayloadCodec } from "./payload-codec.js";

/** A payload as it goes on the wire: its bytes, whether they are raw bytes or deflated, and the size before deflating. */
export interface EncodedPayload {
  readonly bytes: Uint8Array;
  readonly compressed: boolean;
  /** The sender's value was a Uint8Array, sent as it is rather than through the payload codec. */
  readonly binary: boolean;
  /** Length of the codec's output (or of the raw bytes); equals `bytes.length` when not compressed. */
  readonly encodedLength: number;
}

/**
 * Encodes `value` with `codec`, or takes it as it is when it is a Uint8Array (a binary payload: the
 * caller already made its bytes), and compresses the result when `compression` says it pays. Errors
 * of the codec come out as a CodecError.
 */
export function encodePayload(value: unknown, codec: PayloadCodec, compression: CompressionSettings): EncodedPayload {
  const binary = value instanceof Uint8Array;
  let encoded: Uint8Array;
  if (binary) encoded = value;
  else {
    try {
      encoded = codec.encode(value);
    } catch (error) {
      throw asCodecError(error, `The ${codec.name} codec cannot encode this payload`);
    }
  }
  const deflated = deflatePayload(encoded, compression);
  return deflated === undefined
    ? { bytes: encoded, compressed: false, binary, encodedLength: encoded.length }
    : { bytes: deflated, compressed: true, binary, encodedLength: encoded.length };
}

/**
 * Turns wire bytes back into a value: inflates (to at most `limits.maxInflatedBytes`) when
 * `compressed`, then decodes with `codec`, which is given `limits`; a `binary` payload is not decoded:
 * it comes back as bytes of its own (a fresh copy, or the inflated output), which stay valid however
 * long the caller keeps them and whatever happens to `bytes`. Every failure is a CodecError.
 */
export function decodePayload(
  bytes: Uint8Array,
  compressed: boolean,
  binary: boolean,
  codec: PayloadCodec,
  limits: BindingLimits,
): unknown {
  if (binary) return compressed ? inflatePayload(bytes, limits.maxInflatedBytes) : bytes.slice();
  const encoded = compressed ? inflatePayload(bytes, limits.maxInflatedBytes) : bytes;
  try {
    return codec.decode(encoded, limits);
  } catch (error) {
    throw asCodecError(error, `The ${codec.name} codec cannot decode a ${encoded.length}-byte payload`);
  }
}

function asCodecError(error: unknown, context: string): CodecError {
  if (error instanceof CodecError) return error;
  return new CodecError(`${context}: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
}
