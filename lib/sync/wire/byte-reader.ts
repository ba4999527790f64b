import { StateDecodeError } from "./state-decode-error.js";

/** The wire's floats are little-endian; a Float64Array reads in the platform's order. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const scratch = new Float64Array(1);
const scratchBytes = new Uint8Array(scratch.buffer);

/**
 * Reads the compact state wire's primitives from untrusted bytes. Every read is bounded by the bytes
 * left, and every fault is a StateDecodeError naming the object session and the byte it happened at.
 */
export class ByteReader {
  pos = 0;

  /**
   * @param bytes the message
   * @param session the object session it came on (named in errors)
   */
  constructor(
    readonly bytes: Uint8Array,
    private readonly session: { toString(): string },
  ) {
  }

  /** Bytes not read yet. */
  get left(): number {
    return this.bytes.length - this.pos;
  }

  /** A StateDecodeError for `fault` at the current byte. */
  fault(fault: string): StateDecodeError {
    return new StateDecodeError(this.session.toString(), `${fault}, at byte ${this.pos} of ${this.bytes.length}`);
  }

  /** A copy of every byte not read yet (a copy: the message's buffer may hold other messages too). */
  rest(): Uint8Array {
    const rest = this.bytes.slice(this.pos);
    this.pos = this.bytes.length;
    return rest;
  }

  byte(what: string): number {
    if (this.pos >= this.bytes.length) throw this.fault(`the state ends before its ${what}`);
    return this.bytes[this.pos++]!;
  }

  /** A LEB128 non-negative integer, at most Number.MAX_SAFE_INTEGER. */
  uint(what: string): number {
    const bytes = this.bytes;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= bytes.length) throw this.fault(`the state ends inside its ${what}`);
      const byte = bytes[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (value > Number.MAX_SAFE_INTEGER) throw this.fault(`its ${what} is beyond the safe integers`);
        return value;
      }
      scale *= 128;
    }
    throw this.fault(`its ${what} takes more than 8 bytes`);
  }

  /** A safe integer of either sign (see ByteWriter.int). */
  int(what: string): number {
    const first = this.byte(what);
    let magnitude = (first >>> 1) & 0x3f;
    if (first >= 0x80) {
      magnitude += 64 * this.uint(what);
      if (magnitude > Number.MAX_SAFE_INTEGER) throw this.fault(`its ${what} is beyond the safe integers`);
    }
    return (first & 1) !== 0 && magnitude !== 0 ? -magnitude : magnitude;
  }

  /** A count of things that take at least one byte each: never more than the bytes left could hold. */
  count(what: string): number {
    const n = this.uint(what);
    if (n > this.left) throw this.fault(`its ${what} says ${n}, more than the ${this.left} bytes left could hold`);
    return n;
  }

  /** A finite float64 (JSON has no NaN or Infinity). */
  float(what: string): number {
    if (this.left < 8) throw this.fault(`the state ends inside its ${what}`);
    const bytes = this.bytes;
    const pos = this.pos;
    // Through one scratch float for the process: a DataView per state would be a cost paid per update.
    if (LITTLE_ENDIAN) for (let i = 0; i < 8; i++) scratchBytes[i] = bytes[pos + i]!;
    else for (let i = 0; i < 8; i++) scratchBytes[7 - i] = bytes[pos + i]!;
    const value = scratch[0]!;
    if (!Number.isFinite(value)) throw this.fault(`its ${what} is ${value}, which JSON cannot carry`);
    this.pos += 8;
    return value;
  }

  /** `length` bytes of UTF-8 as a string; invalid UTF-8 is refused. */
  text(length: number, what: string): string {
    if (length > this.left) throw this.fault(`its ${what} says ${length} bytes, more than the ${this.left} left`);
    const bytes = this.bytes;
    const start = this.pos;
    const end = start + length;
    if (length <= SHORT_TEXT) {
      let text = "";
      let i = start;
      for (; i < end; i++) {
        const code = bytes[i]!;
        if (code >= 0x80) break;
        text += String.fromCharCode(code);
      }
      if (i === end) {
        this.pos = end;
        return text;
      }
    }
    let text: string;
    try {
      text = utf8.decode(bytes.subarray(start, end));
    } catch {
      throw this.fault(`its ${what} is not valid UTF-8`);
    }
    this.pos = end;
    return text;
  }
}

/** Longest text built from char codes (ASCII); TextDecoder's call costs more than that below it. */
const SHORT_TEXT = 16;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
