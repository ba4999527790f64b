import type { Exchange } from "../exchange/exchange.js";
import { MAX_FORMAT_NAME_LENGTH } from "../state/object-state.js";
import { InvalidCodecError } from "./invalid-codec-error.js";

/**
 * Turns values of `T` into bytes and back, for data that is not JSON (dates, maps, binary formats such as
 * MessagePack or Protocol Buffers). An exposer with a codec publishes `encode(value)` as a state whose
 * format is `[format]`; an observer with a codec gets `decode(bytes)` for states whose outermost format
 * (the stack's last name) is the codec's, and one without gets the bytes and the format, so it can
 * decode them itself. Nodes in between (routers, relays) carry the bytes untouched, with no codec. States
 * of a codec's format travel whole on every update, unless the codec has `diff` and `patch`: then a link
 * whose receiver can patch the format (it has a codec with the pair for it, on a contract or in its node's
 * `codecs` option) carries a state as the diff from the last one it carried, when that is smaller.
 */
export interface Codec<T> {
  /** Names the encoding in states' format stacks (1 to 64 characters; "JSON" is taken by plain JSON). */
  readonly format: string;
  /** The bytes of `value`: must return a Uint8Array (`set()` throws CodecEncodeError otherwise). */
  encode(value: T): Uint8Array;
  /** The value of `bytes`; may throw on bytes it cannot read (reported to `node.errors$`, the state stays bytes). */
  decode(bytes: Uint8Array): T;
  /**
   * Optional, with `patch`: the diff that turns the encoded `base` into the encoded `next` (undefined, or
   * a diff not smaller than `next`: `next` goes whole). It works on bytes, not values, so that a router
   * given the codec applies and forwards diffs without knowing `T`. A diff that throws sends `next` whole.
   */
  diff?(base: Uint8Array, next: Uint8Array): Uint8Array | undefined;
  /**
   * Optional, with `diff`: `base` with `diff` applied, as `diff` made it from `base`. A receiver holds the
   * result to the link's data limits; one that throws or returns anything but a Uint8Array ends the link
   * that brought the diff (its peer sent something this node cannot patch). It must not change `base`,
   * which the node and its observers still hold.
   */
  patch?(base: Uint8Array, diff: Uint8Array): Uint8Array;
}


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
  const { diff, patch } = codec;
  if ((diff !== undefined || patch !== undefined) && (typeof diff !== "function" || typeof patch !== "function")) {
    throw new InvalidCodecError(`codec "${format}" must have both diff(base, next) and patch(base, diff) methods, or neither`);
  }
  return codec;
}

/**
 * `codec` (checked already) as a contract of the node of `exchange` uses it: a codec with `diff` and
 * `patch` makes its format one the node diffs and patches on its links (see FormatDiffs).
 */
export function adoptedCodec<T>(codec: Codec<T> | undefined, exchange: Exchange): Codec<T> | undefined {
  if (codec?.diff !== undefined && codec.patch !== undefined) exchange.formatDiffs.add(codec.format, codec as Required<Codec<T>>);
  return codec;
}
