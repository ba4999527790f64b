import { CodecError } from "../lib/choreography/errors.js";

/**
 * A raw DEFLATE (RFC 1951) decoder that inflates to exactly a declared size and does no work beyond it.
 *
 * A general-purpose inflater decodes its whole input whatever the output turns out to be; fflate's, given
 * an output buffer, even keeps decoding past its end and drops the excess. From the network that is an
 * amplifier: 65 KB of deflate can stand for 67 MB of output, so a receiver that decodes first and checks
 * after pays a thousand times what the sender did. This one refuses the first output byte past the
 * declared size, and grows its output buffer as output arrives (never by more than what was produced so
 * far), so a stream that declares 64 MiB but carries 11 bytes costs an allocation sized by its 11 bytes.
 */

/** Output capacity allocated per input byte at first (honest JSON deflates 5 to 20 times). */
const INITIAL_EXPANSION = 16;
/** Smallest first allocation (when the declared size is larger). */
const MIN_INITIAL_CAPACITY = 4096;

/** Base lengths of length symbols 257..285, and their extra bits. */
const LENGTH_BASE = Uint16Array.of(3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258);
const LENGTH_EXTRA = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0);
/** Base distances of distance symbols 0..29, and their extra bits. */
const DISTANCE_BASE = Uint16Array.of(
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
);
const DISTANCE_EXTRA = Uint8Array.of(0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13);
/** In which order a dynamic block lists the lengths of the code-length code. */
const CODE_LENGTH_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15);

const MAX_CODE_BITS = 15;
const END_OF_BLOCK = 256;
/** Literal/length symbols a stream may use (286 and 287 exist in the fixed code but are invalid). */
const LITERAL_SYMBOLS = 286;
const DISTANCE_SYMBOLS = 30;

/** Bit-reversed bytes: Huffman codes are stored most significant bit first, the stream is read least first. */
const REVERSED = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++) {
  let reversed = 0;
  for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) reversed |= 0x80 >> bit;
  REVERSED[byte] = reversed;
}

/*
 * A decoding table is indexed by the next `bits` bits of the stream (1 << bits entries) and holds
 * `symbol << 4 | code length`; 0 marks bits that start no code. Decoding is synchronous and never
 * re-entered, so dynamic blocks build theirs in these scratch arrays instead of allocating.
 */
/** The code-length code's 19 lengths, then the literal/length and distance codes' (or the fixed code's 288). */
const codeLengths = new Uint8Array(19 + LITERAL_SYMBOLS + DISTANCE_SYMBOLS);
const lengthCounts = new Uint16Array(MAX_CODE_BITS + 1);
const nextCodes = new Uint16Array(MAX_CODE_BITS + 1);
const literalScratch = new Uint16Array(1 << MAX_CODE_BITS);
const distanceScratch = new Uint16Array(1 << MAX_CODE_BITS);
const codeLengthScratch = new Uint16Array(1 << 7);
/** Index widths of the scratch tables, as the last dynamic block header set them. */
let dynamicLiteralBits = 0;
let dynamicDistanceBits = 0;

const fixedLiteralTable = new Uint16Array(1 << 9);
const fixedDistanceTable = new Uint16Array(1 << 5);
codeLengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
const FIXED_LITERAL_BITS = buildTable(codeLengths, 0, 288, fixedLiteralTable, "fixed literal/length");
codeLengths.fill(5, 0, 32);
const FIXED_DISTANCE_BITS = buildTable(codeLengths, 0, 32, fixedDistanceTable, "fixed distance");

/**
 * Inflates the raw DEFLATE `stream`, which must produce exactly `size` bytes and end at its last byte.
 * Throws a CodecError, without decoding further, at the first byte of output beyond `size`, and for a
 * stream that is corrupt, truncated, followed by other bytes, or that produces fewer than `size` bytes.
 */
export function inflateExact(stream: Uint8Array, size: number): Uint8Array {
  const totalBits = stream.length * 8;
  let out: Uint8Array = new Uint8Array(Math.min(size, Math.max(MIN_INITIAL_CAPACITY, stream.length * INITIAL_EXPANSION)));
  let produced = 0;
  let pos = 0;
  let final = 0;
  do {
    if (pos + 3 > totalBits) throw truncated(stream);
    final = bits(stream, pos, 1);
    const type = bits(stream, pos + 1, 3);
    pos += 3;
    if (type === 0) {
      const start = (pos + 7) >> 3;
      if (start + 4 > stream.length) throw truncated(stream);
      const length = (stream[start] as number) | ((stream[start + 1] as number) << 8);
      const check = (stream[start + 2] as number) | ((stream[start + 3] as number) << 8);
      if (length !== (~check & 0xffff)) throw corrupt(stream, "a stored block's length and its complement disagree");
      const end = start + 4 + length;
      if (end > stream.length) throw truncated(stream);
      if (produced + length > out.length) out = grow(out, produced, produced + length, size, stream, start);
      out.set(stream.subarray(start + 4, end), produced);
      produced += length;
      pos = end * 8;
      continue;
    }
    let literals: Uint16Array;
    let literalBits: number;
    let distances: Uint16Array;
    let distanceBits: number;
    if (type === 1) {
      literals = fixedLiteralTable;
      literalBits = FIXED_LITERAL_BITS;
      distances = fixedDistanceTable;
      distanceBits = FIXED_DISTANCE_BITS;
    } else if (type === 2) {
      pos = readDynamicCodes(stream, pos);
      literals = literalScratch;
      literalBits = dynamicLiteralBits;
      distances = distanceScratch;
      distanceBits = dynamicDistanceBits;
    } else {
      throw corrupt(stream, "block type 3 does not exist");
    }
    const literalMask = (1 << literalBits) - 1;
    const distanceMask = (1 << distanceBits) - 1;
    for (;;) {
      const entry = literals[bits16(stream, pos) & literalMask] as number;
      const symbol = entry >> 4;
      pos += entry & 15;
      if (pos > totalBits) throw truncated(stream);
      if ((entry & 15) === 0) throw corrupt(stream, "invalid literal/length code");
      if (symbol < END_OF_BLOCK) {
        if (produced === out.length) out = grow(out, produced, produced + 1, size, stream, pos >> 3);
        out[produced++] = symbol;
        continue;
      }
      if (symbol === END_OF_BLOCK) break;
      const lengthIndex = symbol - 257;
      if (lengthIndex >= 29) throw corrupt(stream, `invalid length symbol ${symbol}`);
      const lengthExtra = LENGTH_EXTRA[lengthIndex] as number;
      const length = (LENGTH_BASE[lengthIndex] as number) + bits(stream, pos, (1 << lengthExtra) - 1);
      pos += lengthExtra;
      const distanceEntry = distances[bits16(stream, pos) & distanceMask] as number;
      const distanceSymbol = distanceEntry >> 4;
      pos += distanceEntry & 15;
      if ((distanceEntry & 15) === 0) {
        if (pos > totalBits) throw truncated(stream);
        throw corrupt(stream, "invalid distance code");
      }
      if (distanceSymbol >= DISTANCE_SYMBOLS) throw corrupt(stream, `invalid distance symbol ${distanceSymbol}`);
      const distanceExtra = DISTANCE_EXTRA[distanceSymbol] as number;
      const distance = (DISTANCE_BASE[distanceSymbol] as number) + (bits16(stream, pos) & ((1 << distanceExtra) - 1));
      pos += distanceExtra;
      if (pos > totalBits) throw truncated(stream);
      if (distance > produced) throw corrupt(stream, `a match reaches ${distance} bytes back, before the start of the output`);
      const end = produced + length;
      if (end > out.length) out = grow(out, produced, end, size, stream, pos >> 3);
      if (distance >= length) {
        out.copyWithin(produced, produced - distance, end - distance);
        produced = end;
      } else {
        for (; produced < end; produced++) out[produced] = out[produced - distance] as number;
      }
    }
  } while (final === 0);
  const used = (pos + 7) >> 3;
  if (used < stream.length) {
    throw new CodecError(
      `Corrupt compressed payload: ${stream.length - used} bytes follow the end of its ${used}-byte deflate stream; ` +
        "the peer's compressor is broken or the payload was tampered with.",
    );
  }
  if (produced !== size) {
    throw new CodecError(`Compressed payload inflates to ${produced} bytes, not the ${size} bytes it declares.`);
  }
  return out;
}

/** Reads a dynamic block's code descriptions at `pos` into the scratch tables; returns the position after them. */
function readDynamicCodes(stream: Uint8Array, pos: number): number {
  const totalBits = stream.length * 8;
  const literalCount = bits(stream, pos, 31) + 257;
  const distanceCount = bits(stream, pos + 5, 31) + 1;
  const codeLengthCount = bits(stream, pos + 10, 15) + 4;
  pos += 14;
  if (literalCount > LITERAL_SYMBOLS || distanceCount > DISTANCE_SYMBOLS) {
    throw corrupt(stream, `a dynamic block declares ${literalCount} literal/length and ${distanceCount} distance codes (at most 286 and 30)`);
  }
  codeLengths.fill(0, 0, 19);
  for (let index = 0; index < codeLengthCount; index++) {
    codeLengths[CODE_LENGTH_ORDER[index] as number] = bits(stream, pos, 7);
    pos += 3;
  }
  if (pos > totalBits) throw truncated(stream);
  const codeLengthBits = buildTable(codeLengths, 0, 19, codeLengthScratch, "code-length");
  const codeLengthMask = (1 << codeLengthBits) - 1;
  // The literal/length and distance code lengths follow as one sequence, placed after the 19 above.
  const first = 19;
  const total = literalCount + distanceCount;
  let index = 0;
  while (index < total) {
    const entry = codeLengthScratch[bits16(stream, pos) & codeLengthMask] as number;
    pos += entry & 15;
    if ((entry & 15) === 0) throw corrupt(stream, "invalid code-length code");
    const symbol = entry >> 4;
    if (symbol < 16) {
      codeLengths[first + index++] = symbol;
    } else {
      let repeat: number;
      let value = 0;
      if (symbol === 16) {
        if (index === 0) throw corrupt(stream, "a code-length repeat has nothing to repeat");
        value = codeLengths[first + index - 1] as number;
        repeat = 3 + bits(stream, pos, 3);
        pos += 2;
      } else if (symbol === 17) {
        repeat = 3 + bits(stream, pos, 7);
        pos += 3;
      } else {
        repeat = 11 + bits(stream, pos, 127);
        pos += 7;
      }
      if (index + repeat > total) throw corrupt(stream, "code lengths repeat past the number of codes");
      codeLengths.fill(value, first + index, first + index + repeat);
      index += repeat;
    }
    if (pos > totalBits) throw truncated(stream);
  }
  if (codeLengths[first + END_OF_BLOCK] === 0) throw corrupt(stream, "a dynamic block has no end-of-block code");
  dynamicLiteralBits = buildTable(codeLengths, first, literalCount, literalScratch, "literal/length");
  dynamicDistanceBits = buildTable(codeLengths, first + literalCount, distanceCount, distanceScratch, "distance");
  return pos;
}

/**
 * Fills `table` for the canonical Huffman code of `count` symbols whose code lengths start at
 * `lengths[from]`, and returns its index width in bits. Refuses over-subscribed codes; incomplete ones
 * are accepted (fflate writes them), and a bit pattern they leave unused fails when it is met.
 */
function buildTable(lengths: Uint8Array, from: number, count: number, table: Uint16Array, name: string): number {
  lengthCounts.fill(0);
  for (let symbol = 0; symbol < count; symbol++) lengthCounts[lengths[from + symbol] as number]! += 1;
  lengthCounts[0] = 0;
  let maxBits = 0;
  let left = 1;
  for (let length = 1; length <= MAX_CODE_BITS; length++) {
    left = (left << 1) - (lengthCounts[length] as number);
    if (left < 0) throw new CodecError(`Corrupt compressed payload: its ${name} code is over-subscribed.`);
    if (lengthCounts[length] !== 0) maxBits = length;
  }
  const size = 1 << maxBits;
  if (left > 0) table.fill(0, 0, size); // bits that start no code stay invalid
  let code = 0;
  for (let length = 1; length <= MAX_CODE_BITS; length++) {
    code = (code + (lengthCounts[length - 1] as number)) << 1;
    nextCodes[length] = code;
  }
  for (let symbol = 0; symbol < count; symbol++) {
    const length = lengths[from + symbol] as number;
    if (length === 0) continue;
    const assigned = nextCodes[length] as number;
    nextCodes[length] = assigned + 1;
    const reversed = (((REVERSED[assigned & 0xff] as number) << 8) | (REVERSED[assigned >> 8] as number)) >> (16 - length);
    const entry = (symbol << 4) | length;
    for (let index = reversed; index < size; index += 1 << length) table[index] = entry;
  }
  return maxBits;
}

/** Up to 9 bits at bit position `pos` (least significant first), masked by `mask`; bytes past the end read as 0. */
function bits(stream: Uint8Array, pos: number, mask: number): number {
  const at = pos >> 3;
  return (((stream[at] as number) | ((stream[at + 1] as number) << 8)) >> (pos & 7)) & mask;
}

/** At least 17 bits at bit position `pos`, unmasked; bytes past the end read as 0. */
function bits16(stream: Uint8Array, pos: number): number {
  const at = pos >> 3;
  return ((stream[at] as number) | ((stream[at + 1] as number) << 8) | ((stream[at + 2] as number) << 16)) >> (pos & 7);
}

/**
 * A larger output buffer holding the `produced` bytes of `out`, with room for `needed` bytes: twice the
 * current one (or `needed`), never more than `size`. Throws when `needed` passes `size`.
 */
function grow(out: Uint8Array, produced: number, needed: number, size: number, stream: Uint8Array, at: number): Uint8Array {
  if (needed > size) {
    throw new CodecError(
      `Compressed payload inflates to more than its declared ${size} bytes; refused at that size, after ${at} of ` +
        `${stream.length} compressed bytes.`,
    );
  }
  const grown = new Uint8Array(Math.min(size, Math.max(needed, out.length * 2)));
  grown.set(out.subarray(0, produced));
  return grown;
}

function truncated(stream: Uint8Array): CodecError {
  return new CodecError(`Corrupt compressed payload: its ${stream.length}-byte deflate stream ends before its last block does.`);
}

function corrupt(stream: Uint8Array, what: string): CodecError {
  return new CodecError(`Corrupt compressed payload (${stream.length}-byte deflate stream): ${what}.`);
}
