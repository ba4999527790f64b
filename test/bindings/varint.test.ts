import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError } from "../../lib/choreography/errors.js";
import { MAX_VARUINT, isVarUint, readVarUint, varUintSize, writeVarUint } from "../../bindings/varint.js";

function encode(value: number): Uint8Array {
  const bytes = new Uint8Array(varUintSize(value));
  expect(writeVarUint(bytes, 0, value)).toBe(bytes.length);
  return bytes;
}

describe("varint", () => {
  it("encodes known values as LEB128", () => {
    expect([...encode(0)]).toEqual([0]);
    expect([...encode(127)]).toEqual([127]);
    expect([...encode(128)]).toEqual([0x80, 0x01]);
    expect([...encode(300)]).toEqual([0xac, 0x02]);
    expect([...encode(MAX_VARUINT)]).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it("round-trips every 32-bit value and reports its size exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_VARUINT }), (value) => {
        const bytes = encode(value);
        const cursor = { bytes, pos: 0 };
        expect(readVarUint(cursor)).toBe(value);
        expect(cursor.pos).toBe(bytes.length);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses truncated, overlong, too long and too large varints with a CodecError", () => {
    const read = (bytes: number[]) => () => readVarUint({ bytes: Uint8Array.from(bytes), pos: 0 });
    expect(read([])).toThrow(CodecError);
    expect(read([0x80])).toThrow(/Truncated/);
    expect(read([0x80, 0x00])).toThrow(/Overlong/);
    expect(read([0xff, 0xff, 0xff, 0xff, 0x10])).toThrow(/above the largest/);
    expect(read([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).toThrow(/longer than 5/);
  });

  it("decodes any bytes to a value with a canonical encoding or a CodecError, never anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), (bytes) => {
        const cursor = { bytes, pos: 0 };
        let value: number;
        try {
          value = readVarUint(cursor);
        } catch (error) {
          expect(error).toBeInstanceOf(CodecError);
          return;
        }
        expect([...encode(value)]).toEqual([...bytes.subarray(0, cursor.pos)]);
      }),
      { numRuns: 1000 },
    );
  });

  it("tells which values fit", () => {
    expect(isVarUint(0)).toBe(true);
    expect(isVarUint(MAX_VARUINT)).toBe(true);
    expect(isVarUint(MAX_VARUINT + 1)).toBe(false);
    expect(isVarUint(-1)).toBe(false);
    expect(isVarUint(1.5)).toBe(false);
    expect(isVarUint(Number.NaN)).toBe(false);
  });
});
