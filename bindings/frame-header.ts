import { CodecError } from "../lib/choreography/errors.js";
import { type ByteCursor, MAX_VARUINT_BYTES, readVarUint, varUintSize, writeVarUint } from "./varint.js";

/** Flag bit: the payload is compressed: a varint of its inflated size, then raw deflate (see compression.ts). */
export const FLAG_COMPRESSED = 0x01;

/**
 * Flag bit: the sender ended this session; the payload is a UTF-8 reason, empty for a clean close.
 * Lane and label are zero and the payload is never compressed.
 */
export const FLAG_RESET = 0x02;

/**
 * Flag bit: the payload is raw bytes the sender handed over as a Uint8Array, not the output of the
 * payload codec; with FLAG_COMPRESSED those bytes are deflated (the compressed payload form).
 */
export const FLAG_BINARY = 0x04;

/**
 * Flag bit: a flow receipt (see FlowWindow): the payload is a varint of the bytes of frames the sender
 * received since its last receipt. Session, lane and label are zero and no other flag is set.
 */
export const FLAG_RECEIPT = 0x08;

/**
 * Flag bit, on any frame but a receipt: the sender asks for a receipt once the message carrying this
 * frame has been read (see FlowWindow).
 */
export const FLAG_RECEIPT_WANTED = 0x10;

const KNOWN_FLAGS = FLAG_COMPRESSED | FLAG_RESET | FLAG_BINARY | FLAG_RECEIPT | FLAG_RECEIPT_WANTED;

/** Most bytes one frame header takes: the flags byte and four varints. */
export const MAX_FRAME_HEADER_BYTES = 1 + 4 * MAX_VARUINT_BYTES;

/**
 * What precedes every payload on the wire: `flags` byte, then varints `session`, `lane`, `label` and
 * `length` (payload bytes that follow). Mutable so a reader can decode into one reused object.
 */
export interface FrameHeader {
  flags: number;
  session: number;
  lane: number;
  label: number;
  length: number;
}

/** Bytes `writeFrameHeader` uses for `header`. */
export function frameHeaderSize(header: Readonly<FrameHeader>): number {
  return (
    1 +
    varUintSize(header.session) +
    varUintSize(header.lane) +
    varUintSize(header.label) +
    varUintSize(header.length)
  );
}

/**
 * Writes `header` at `pos` and returns the position after it. The caller has validated the fields
 * (varint range, known flags) and made room (`frameHeaderSize`).
 */
export function writeFrameHeader(target: Uint8Array, pos: number, header: Readonly<FrameHeader>): number {
  target[pos++] = header.flags;
  pos = writeVarUint(target, pos, header.session);
  pos = writeVarUint(target, pos, header.lane);
  pos = writeVarUint(target, pos, header.label);
  return writeVarUint(target, pos, header.length);
}

/**
 * Reads one frame header at the cursor into `into` and advances the cursor. Throws a CodecError for a
 * truncated or malformed header: bad varints, unknown flag bits, a reset frame that claims to be
 * compressed or binary or to belong to a lane or label, or a receipt with a session, lane, label or
 * other flag. Does not check that `length` bytes follow; the batch
 * reader does.
 */
export function readFrameHeader(cursor: ByteCursor, into: FrameHeader): FrameHeader {
  const start = cursor.pos;
  if (start >= cursor.bytes.length) {
    throw new CodecError(`Truncated frame header at byte ${start}: the input ends before its flags byte.`);
  }
  const flags = cursor.bytes[start] as number;
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    throw new CodecError(
      `Malformed frame header at byte ${start}: unknown flag bits 0x${flags.toString(16)}; the peer speaks another framing version.`,
    );
  }
  cursor.pos = start + 1;
  into.flags = flags;
  into.session = readVarUint(cursor);
  into.lane = readVarUint(cursor);
  into.label = readVarUint(cursor);
  into.length = readVarUint(cursor);
  if ((flags & FLAG_RESET) !== 0 && ((flags & (FLAG_COMPRESSED | FLAG_BINARY)) !== 0 || into.lane !== 0 || into.label !== 0)) {
    throw new CodecError(
      `Malformed session-reset frame at byte ${start}: a reset carries no lane, label, compression or binary payload.`,
    );
  }
  if ((flags & FLAG_RECEIPT) !== 0 && (flags !== FLAG_RECEIPT || into.session !== 0 || into.lane !== 0 || into.label !== 0)) {
    throw new CodecError(`Malformed receipt frame at byte ${start}: a receipt carries no session, lane, label or other flag.`);
  }
  return into;
}
