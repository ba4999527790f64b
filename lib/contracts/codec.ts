import { InvalidCodecError } from "./invalid-codec-error.js";

/**
 * Turns values of `T` into bytes and back, for data that is not JSON (dates, maps, binary formats such as
 * MessagePack or Protocol Buffers). An exposer with a codec publishes `encode(value)` as a state whose
 * format is `[format]`; an observer with a codec gets `decode(bytes)` for states whose outermost format
 * (the stack's last name) is the codec's, and one without gets the bytes and the format, so it can
 * decode them itself. Nodes in between (routers, relays) carry the bytes untouched, with no codec. States
 * of a codec's format travel whole on every update (only JSON travels as diffs).
 */
export interface Codec<T> {
  /** Names the encoding in states' format stacks (1 to 64 characters; "JSON" is taken by plain JSON). */
  readonly format: string;
  /** The bytes of `value`: must return a Uint8Array (`set()` throws CodecEncodeError otherwise). */
  encode(value: T): Uint8Array;
  /** The value of `bytes`; may throw on bytes it cannot read (reported to `node.errors$`, the state stays bytes). */
  decode(bytes: Uint8Array): T;
}

/** The longest format name a state carries (the link's state wire refuses longer ones). */
export const MAX_FORMAT_NAME_LENGTH = 64;

/** `codec` checked when a contract is made, so a bad one fails there and not at the first state. Throws InvalidCodecError. */
export function checkedCodec<T>(codec: Codec<T> | undefined): Codec<T> | undefined {
  if (codec === undefined) return undefined;
  if (typeof codec !== "object" || codec === null) throw new InvalidCodecError(`a codec must be an object, got ${String(codec)}`);
  const { format } = codec;
  if (typeof format !== "string" || format.length < 1 || format.length > MAX_FORMAT_NAME_LENGTH) {
    throw new InvalidCodecError(`its format must be a string of 1 to ${MAX_FORMAT_NAME_LENGTH} characters, got ${JSON.stringify(format)}`);
  }
  if (format === "JSON") throw new InvalidCodecError('its format must not be "JSON", which names plain JSON data: name the encoding (e.g. "msgpack")');
  if (typeof codec.encode !== "function" || typeof codec.decode !== "function") {
    throw new InvalidCodecError(`codec "${format}" must have encode(value) and decode(bytes) methods`);
  }
  return codec;
}
