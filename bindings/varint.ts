import { CodecError } from "../lib/choreography/errors.js";

/** Largest value a varint of this binding carries: every id and length on the wire is an unsigned 32-bit integer. */
export const MAX_VARUINT = 0xffff_ffff;

/** Most bytes one varint takes (5 × 7 bits hold 32 bits). */
export const MAX_VARUINT_BYTES = 5;

/** A read position in a byte array; decoders advance `pos` as they consume bytes. */
export interface ByteCursor {
  readonly bytes: Uint8Array;
  pos: number;
}

/** Number of bytes `writeVarUint` uses for `value`, so a writer can size its buffer exactly once. */
export function varUintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x20_0000) return 3;
  if (value < 0x1000_0000) return 4;
  return 5;
}

/** True when `value` can be written as a varint (an integer in 0..MAX_VARUINT). */
export function isVarUint(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_VARUINT;
}

/**
 * Writes `value` as an unsigned LEB128 varint at `pos` and returns the position after it. The caller
 * guarantees room (`varUintSize`) and a valid value (`isVarUint`); this is the encoder's hot path.
 */
export function writeVarUint(target: Uint8Array, pos: number, value: number): number {
  while (value >= 0x80) {
    target[pos++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  target[pos++] = value;
  return pos;
}

/**
 * Reads one unsigned LEB128 varint at the cursor and advances it. Refuses, with a CodecError, a varint
 * cut off by the end of the bytes, longer than MAX_VARUINT_BYTES, above MAX_VARUINT, or not in its
 * shortest form (so every value has exactly one encoding).
 */
export function readVarUint(cursor: ByteCursor): number {
  const { bytes } = cursor;
  let pos = cursor.pos;
  let value = 0;
  let scale = 1;
  for (let index = 0; index < MAX_VARUINT_BYTES; index++) {
    if (pos >= bytes.length) {
      throw new CodecError(`Truncated varint at byte ${cursor.pos}: the input ends inside it.`);
    }
    const byte = bytes[pos++] as number;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (byte === 0 && index > 0) {
        throw new CodecError(`Overlong varint at byte ${cursor.pos}: it has a redundant trailing zero byte.`);
      }
      if (value > MAX_VARUINT) {
        throw new CodecError(`Varint at byte ${cursor.pos} is ${value}, above the largest allowed ${MAX_VARUINT}.`);
      }
      cursor.pos = pos;
      return value;
    }
    scale *= 128;
  }
  throw new CodecError(`Varint at byte ${cursor.pos} is longer than ${MAX_VARUINT_BYTES} bytes.`);
}
