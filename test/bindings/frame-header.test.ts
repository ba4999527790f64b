import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError } from "../../lib/choreography/errors.js";
import {
  FLAG_BINARY,
  FLAG_COMPRESSED,
  FLAG_RECEIPT,
  FLAG_RESET,
  type FrameHeader,
  MAX_FRAME_HEADER_BYTES,
  frameHeaderSize,
  readFrameHeader,
  writeFrameHeader,
} from "../../bindings/frame-header.js";
import { MAX_VARUINT } from "../../bindings/varint.js";

const u32 = fc.integer({ min: 0, max: MAX_VARUINT });
const header = fc.oneof(
  fc.record({ flags: fc.constantFrom(0, FLAG_COMPRESSED, FLAG_BINARY, FLAG_BINARY | FLAG_COMPRESSED), session: u32, lane: u32, label: u32, length: u32 }),
  fc.record({ flags: fc.constant(FLAG_RESET), session: u32, lane: fc.constant(0), label: fc.constant(0), length: u32 }),
  fc.record({ flags: fc.constant(FLAG_RECEIPT), session: fc.constant(0), lane: fc.constant(0), label: fc.constant(0), length: u32 }),
);

function blank(): FrameHeader {
  return { flags: 0, session: 0, lane: 0, label: 0, length: 0 };
}

function encode(value: FrameHeader): Uint8Array {
  const bytes = new Uint8Array(frameHeaderSize(value));
  expect(writeFrameHeader(bytes, 0, value)).toBe(bytes.length);
  return bytes;
}

describe("frame header", () => {
  it("round-trips every valid header within MAX_FRAME_HEADER_BYTES", () => {
    fc.assert(
      fc.property(header, (value) => {
        const bytes = encode(value);
        expect(bytes.length).toBeLessThanOrEqual(MAX_FRAME_HEADER_BYTES);
        const cursor = { bytes, pos: 0 };
        expect(readFrameHeader(cursor, blank())).toEqual(value);
        expect(cursor.pos).toBe(bytes.length);
      }),
      { numRuns: 500 },
    );
  });

  it("lays out flags, session, lane, label, length", () => {
    expect([...encode({ flags: FLAG_COMPRESSED, session: 1, lane: 2, label: 300, length: 5 })]).toEqual([
      1, 1, 2, 0xac, 0x02, 5,
    ]);
  });

  it("refuses unknown flags and reset frames with a lane, label, compression or binary payload", () => {
    const read = (bytes: number[]) => () => readFrameHeader({ bytes: Uint8Array.from(bytes), pos: 0 }, blank());
    expect(read([0x80, 0, 0, 0, 0])).toThrow(/unknown flag bits/);
    expect(read([FLAG_RESET | FLAG_COMPRESSED, 1, 0, 0, 0])).toThrow(/reset/);
    expect(read([FLAG_RESET | FLAG_BINARY, 1, 0, 0, 0])).toThrow(/reset/);
    expect(read([FLAG_BINARY | FLAG_COMPRESSED, 1, 2, 3, 0])).not.toThrow();
    expect(read([FLAG_RESET, 1, 1, 0, 0])).toThrow(/reset/);
    expect(read([FLAG_RESET, 1, 0, 1, 0])).toThrow(/reset/);
    expect(read([])).toThrow(/Truncated frame header/);
    expect(read([0, 1, 2])).toThrow(CodecError);
  });

  it("decodes any bytes to a header or a CodecError, never anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        const cursor = { bytes, pos: 0 };
        let value: FrameHeader;
        try {
          value = readFrameHeader(cursor, blank());
        } catch (error) {
          expect(error).toBeInstanceOf(CodecError);
          return;
        }
        expect([...encode(value)]).toEqual([...bytes.subarray(0, cursor.pos)]);
      }),
      { numRuns: 1000 },
    );
  });
});
