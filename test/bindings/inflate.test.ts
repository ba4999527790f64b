import { deflateSync } from "fflate";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError } from "../../lib/choreography/errors.js";
import { inflateExact } from "../../bindings/inflate.js";
import { allocations } from "./allocations.js";

/** Bytes with long and overlapping repeats, so every kind of match occurs. */
const structured = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => ({ bytes })),
      fc.record({ back: fc.integer({ min: 1, max: 40_000 }), length: fc.integer({ min: 1, max: 600 }) }),
    ),
    { maxLength: 80 },
  )
  .map((parts) => {
    const out: number[] = [];
    for (const part of parts) {
      if ("bytes" in part) out.push(...part.bytes);
      else if (out.length > 0) for (let index = 0; index < part.length; index++) out.push(out[out.length - Math.min(part.back, out.length)] as number);
    }
    return Uint8Array.from(out);
  });

const level = fc.constantFrom(0, 1, 3, 6, 9) as fc.Arbitrary<0 | 1 | 3 | 6 | 9>;

/** Writes a deflate stream bit by bit: `bits` least significant first, `code` (a Huffman code) most significant first. */
class BitWriter {
  readonly bytes: number[] = [];
  #bit = 0;
  bits(value: number, count: number): this {
    for (let index = 0; index < count; index++) this.#push((value >> index) & 1);
    return this;
  }
  code(value: number, count: number): this {
    for (let index = count - 1; index >= 0; index--) this.#push((value >> index) & 1);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
  #push(bit: number): void {
    if (this.#bit === 0) this.bytes.push(0);
    this.bytes[this.bytes.length - 1]! |= bit << this.#bit;
    this.#bit = (this.#bit + 1) & 7;
  }
}

/** A final block with the fixed code: its header, then `write` adds symbols. */
function fixedBlock(write: (writer: BitWriter) => void): Uint8Array {
  const writer = new BitWriter().bits(1, 1).bits(1, 2);
  write(writer);
  return writer.done();
}
/** Fixed-code literals 0..143 are 8 bits from 0x30; end of block (256) is 7 zero bits. */
const literal = (writer: BitWriter, byte: number) => writer.code(0x30 + byte, 8);
const endOfBlock = (writer: BitWriter) => writer.code(0, 7);

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CodecError);
    return (error as Error).message;
  }
  throw new Error("expected a CodecError");
}

describe("inflateExact", () => {
  it("inflates what fflate deflates at every level, and refuses one byte more or less than it holds", () => {
    fc.assert(
      fc.property(structured, level, (raw, deflateLevel) => {
        const stream = deflateSync(raw, { level: deflateLevel });
        expect(inflateExact(stream, raw.length)).toEqual(raw);
        expect(refusal(() => inflateExact(stream, raw.length + 1))).toMatch(`inflates to ${raw.length} bytes, not the ${raw.length + 1} bytes it declares`);
        if (raw.length > 0) expect(refusal(() => inflateExact(stream, raw.length - 1))).toMatch(`more than its declared ${raw.length - 1} bytes`);
      }),
      { numRuns: 120, seed: 1951 },
    );
  });

  it("never allocates more than the declared size, nor works past it, whatever the stream", () => {
    const valid = fc.tuple(structured, level).map(([raw, deflateLevel]) => ({ stream: deflateSync(raw, { level: deflateLevel }), size: raw.length }));
    const damaged = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.nat(7)), { minLength: 1, maxLength: 4 })).map(([{ stream, size }, flips]) => {
      const copy = stream.slice();
      for (const [at, bit] of flips) if (copy.length > 0) copy[at % copy.length]! ^= 1 << bit;
      return { stream: copy, size };
    });
    fc.assert(
      fc.property(fc.oneof(valid, damaged, fc.uint8Array({ maxLength: 64 }).map((stream) => ({ stream, size: 100 }))), fc.integer({ min: -50, max: 50 }), ({ stream, size }, skew) => {
        const declared = Math.max(0, size + skew);
        const { sizes, result, error } = allocations(() => inflateExact(stream, declared));
        expect(Math.max(0, ...sizes)).toBeLessThanOrEqual(declared);
        if (error === undefined) expect(result).toHaveLength(declared);
        else expect(error).toBeInstanceOf(CodecError);
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it("allocates by what the stream carries, not by what it declares", () => {
    const stream = deflateSync(new Uint8Array(100), { level: 6 });
    expect(stream.length).toBeLessThan(12);
    const { sizes, error } = allocations(() => inflateExact(stream, 64 * 1024 * 1024));
    expect((error as Error).message).toBe("Compressed payload inflates to 100 bytes, not the 67108864 bytes it declares.");
    expect(Math.max(...sizes)).toBeLessThan(64 * 1024);
  });

  it("stops at the declared size, without reading the rest of the stream", () => {
    const stream = deflateSync(new Uint8Array(2_000_000), { level: 1 });
    const { sizes, error } = allocations(() => inflateExact(stream, 60_000));
    const [, at, total] = /refused at that size, after (\d+) of (\d+) compressed bytes/.exec((error as Error).message) ?? [];
    expect(Number(total)).toBe(stream.length);
    expect(Number(at) * 10).toBeLessThan(stream.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(60_000);
  });

  it("refuses every truncation of a stream", () => {
    const raw = new TextEncoder().encode('{"records":[' + '{"id":1,"name":"alice"},'.repeat(60) + "{}]}");
    for (const deflateLevel of [0, 6] as const) {
      const stream = deflateSync(raw, { level: deflateLevel });
      for (let length = 0; length < stream.length; length++) expect(() => inflateExact(stream.subarray(0, length), raw.length)).toThrow(CodecError);
    }
    expect(refusal(() => inflateExact(new Uint8Array(0), 0))).toMatch(/its 0-byte deflate stream ends before its last block does/);
  });

  it("refuses bytes after the end of the stream", () => {
    const stream = deflateSync(new TextEncoder().encode("hello"), { level: 6 });
    const padded = Uint8Array.from([...stream, 0]);
    expect(refusal(() => inflateExact(padded, 5))).toMatch(`1 bytes follow the end of its ${stream.length}-byte deflate stream`);
  });

  it("reads stored, fixed-code and dynamic-code blocks, and refuses what RFC 1951 forbids in each", () => {
    // Stored: header byte, LEN, NLEN (its complement), the bytes.
    expect(inflateExact(Uint8Array.of(1, 3, 0, 0xfc, 0xff, 7, 8, 9), 3)).toEqual(Uint8Array.of(7, 8, 9));
    expect(refusal(() => inflateExact(Uint8Array.of(1, 3, 0, 0xfd, 0xff, 7, 8, 9), 3))).toMatch(/stored block's length and its complement disagree/);
    expect(refusal(() => inflateExact(Uint8Array.of(1, 3, 0, 0xfc, 0xff, 7, 8), 3))).toMatch(/ends before its last block does/);
    // Block type 3 does not exist.
    expect(refusal(() => inflateExact(Uint8Array.of(0b111), 0))).toMatch(/block type 3 does not exist/);
    // Fixed code: "ab", then a match of length 4 at distance 2 (overlapping: "abab"), then the end.
    const overlap = fixedBlock((writer) => {
      literal(writer, 0x61);
      literal(writer, 0x62);
      writer.code(0b0000010, 7); // length symbol 258: length 4
      writer.code(1, 5); // distance symbol 1: distance 2
      endOfBlock(writer);
    });
    expect(new TextDecoder().decode(inflateExact(overlap, 6))).toBe("ababab");
    // A match reaching before the start of the output.
    const tooFar = fixedBlock((writer) => {
      literal(writer, 0x61);
      writer.code(0b0000001, 7); // length 3
      writer.code(1, 5); // distance 2, but one byte was written
      endOfBlock(writer);
    });
    expect(refusal(() => inflateExact(tooFar, 4))).toMatch(/a match reaches 2 bytes back, before the start of the output/);
    // Distance symbols 30 and 31 exist in the fixed code but mean nothing.
    const badDistance = fixedBlock((writer) => {
      literal(writer, 0x61);
      writer.code(0b0000001, 7);
      writer.code(30, 5);
    });
    expect(refusal(() => inflateExact(badDistance, 4))).toMatch(/invalid distance symbol 30/);
    // Length symbol 286 likewise (fixed codes 280..287 are 8 bits from 0xc0).
    expect(refusal(() => inflateExact(fixedBlock((writer) => writer.code(0xc0 + 6, 8)), 4))).toMatch(/invalid length symbol 286/);
    // Dynamic: a code-length code with four one-bit codes is over-subscribed.
    const oversubscribed = new BitWriter().bits(1, 1).bits(2, 2).bits(0, 5).bits(0, 5).bits(0, 4).bits(1, 3).bits(1, 3).bits(1, 3).bits(1, 3).done();
    expect(refusal(() => inflateExact(oversubscribed, 1))).toMatch(/code-length code is over-subscribed/);
    // Dynamic: a repeat (symbol 16) before any length to repeat.
    const nothingToRepeat = new BitWriter().bits(1, 1).bits(2, 2).bits(0, 5).bits(0, 5).bits(0, 4).bits(1, 3).bits(1, 3).bits(0, 3).bits(0, 3).code(0, 1).bits(0, 2).done();
    expect(refusal(() => inflateExact(nothingToRepeat, 1))).toMatch(/a code-length repeat has nothing to repeat/);
    // Dynamic: more literal/length codes than exist.
    const tooManyCodes = new BitWriter().bits(1, 1).bits(2, 2).bits(30, 5).bits(0, 5).bits(0, 4).done();
    expect(refusal(() => inflateExact(tooManyCodes, 1))).toMatch(/declares 287 literal\/length and 1 distance codes/);
  });
});
