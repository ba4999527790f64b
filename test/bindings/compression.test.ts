import { deflateSync } from "fflate";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError } from "../../lib/choreography/errors.js";
import { BindingOptionsError } from "../../bindings/binding-options-error.js";
import {
  DEFAULT_COMPRESSION,
  NO_COMPRESSION,
  deflatePayload,
  inflatePayload,
  resolveCompression,
} from "../../bindings/compression.js";
import { readVarUint, varUintSize, writeVarUint } from "../../bindings/varint.js";
import { allocations } from "./allocations.js";

const text = (length: number) => new TextEncoder().encode('{"key":"value","n":1},'.repeat(Math.ceil(length / 22)).slice(0, length));

function randomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let index = 0; index < length; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

/** A compressed payload as a peer may send it, declaring `declared` inflated bytes (truthfully or not). */
function compressedPayload(raw: Uint8Array, declared = raw.length, level: 0 | 1 | 6 = 6): Uint8Array {
  const stream = deflateSync(raw, { level });
  const out = new Uint8Array(varUintSize(declared) + stream.length);
  out.set(stream, writeVarUint(out, 0, declared));
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

describe("compression", () => {
  it("leaves payloads below the threshold alone", () => {
    const settings = resolveCompression({ threshold: 100 });
    expect(deflatePayload(text(99), settings)).toBeUndefined();
    expect(deflatePayload(text(100), settings)).toBeDefined();
    expect(deflatePayload(text(100_000), NO_COMPRESSION)).toBeUndefined();
  });

  it("keeps the compressed form only when it is smaller", () => {
    const settings = resolveCompression({ threshold: 0 });
    expect(deflatePayload(randomBytes(4096, 7), settings)).toBeUndefined();
    const raw = text(4096);
    const compressed = deflatePayload(raw, settings);
    expect(compressed).toBeDefined();
    expect((compressed as Uint8Array).length).toBeLessThan(raw.length / 4);
    expect(inflatePayload(compressed as Uint8Array, raw.length)).toEqual(raw);
  });

  it("round-trips any bytes that it compresses", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(8), (raw, repeat) => {
        const input = new Uint8Array(raw.length * (repeat + 1));
        for (let index = 0; index <= repeat; index++) input.set(raw, index * raw.length);
        const compressed = deflatePayload(input, resolveCompression({ threshold: 0, level: 1 }));
        if (compressed !== undefined) expect(inflatePayload(compressed, input.length)).toEqual(input);
      }),
      { numRuns: 100 },
    );
  });

  it("inflates payloads spanning many input steps", () => {
    const raw = randomBytes(300_000, 3);
    const compressed = compressedPayload(raw, raw.length, 0);
    expect(sameBytes(inflatePayload(compressed, raw.length), raw)).toBe(true);
    expect(sameBytes(inflatePayload(compressed, 1 << 30), raw)).toBe(true);
    expect(() => inflatePayload(compressedPayload(raw, raw.length + 1, 0), raw.length + 1)).toThrow(
      /inflates to 300000 bytes, not the 300001 bytes it declares/,
    );
  });

  const zeros = new Uint8Array(10_000_000);

  it("refuses an inflate bomb that declares its size before inflating or allocating anything", () => {
    const bomb = compressedPayload(zeros, zeros.length, 1);
    expect(bomb.length).toBeLessThan(50_000);
    const { sizes, error } = allocations(() => inflatePayload(bomb, 64 * 1024));
    expect(error).toBeInstanceOf(CodecError);
    expect((error as Error).message).toMatch(/declares 10000000 inflated bytes, over maxInflatedBytes \(65536\)/);
    expect(sizes).toEqual([]);
  });

  it("refuses a payload that inflates to more than it declares at the declared size, and one that inflates to less", () => {
    const bomb = compressedPayload(zeros, 60_000, 1);
    const { sizes, error } = allocations(() => inflatePayload(bomb, 64 * 1024));
    expect((error as Error).message).toMatch(/more than its declared 60000 bytes; refused at that size, after \d+ of/);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(60_000);
    const raw = text(5000);
    expect(() => inflatePayload(compressedPayload(raw, 5001), 1 << 20)).toThrow("inflates to 5000 bytes, not the 5001 bytes it declares");
    expect(() => inflatePayload(compressedPayload(raw, 4999), 1 << 20)).toThrow("more than its declared 4999 bytes");
  });

  it("costs a tiny payload that declares 64 MiB what its bytes carry, not 64 MiB", () => {
    const tiny = compressedPayload(text(200), 64 * 1024 * 1024, 6);
    expect(tiny.length).toBeLessThanOrEqual(64);
    const { sizes, error } = allocations(() => inflatePayload(tiny, 64 * 1024 * 1024));
    expect((error as Error).message).toBe("Compressed payload inflates to 200 bytes, not the 67108864 bytes it declares.");
    expect(Math.max(...sizes)).toBeLessThan(64 * 1024);
  });

  it("accepts exactly the limit", () => {
    const raw = text(50_000);
    const compressed = compressedPayload(raw);
    expect(sameBytes(inflatePayload(compressed, 50_000), raw)).toBe(true);
    expect(() => inflatePayload(compressed, 49_999)).toThrow(CodecError);
    const small = text(500);
    expect(sameBytes(inflatePayload(compressedPayload(small), 1 << 30), small)).toBe(true);
  });

  it("refuses corrupt, truncated and empty streams with a CodecError", () => {
    const compressed = compressedPayload(text(10_000));
    expect(() => inflatePayload(compressed.subarray(0, compressed.length - 3), 1 << 20)).toThrow(/Corrupt.*ends before its last block/);
    expect(() => inflatePayload(new Uint8Array(0), 1 << 20)).toThrow(/Truncated varint/);
    expect(() => inflatePayload(Uint8Array.of(5, 0xff, 0xff, 0xff), 1 << 20)).toThrow(CodecError);
  });

  it("turns any bytes into exactly the declared output within the limit, or a CodecError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const { sizes, result, error } = allocations(() => inflatePayload(bytes, 4096));
        expect(Math.max(0, ...sizes)).toBeLessThanOrEqual(4096);
        if (error !== undefined) expect(error).toBeInstanceOf(CodecError);
        else expect(result).toHaveLength(readVarUint({ bytes, pos: 0 }));
      }),
      { numRuns: 1000, seed: 11 },
    );
  });

  it("validates options", () => {
    expect(resolveCompression(undefined)).toBe(DEFAULT_COMPRESSION);
    expect(resolveCompression(false)).toBe(NO_COMPRESSION);
    expect(resolveCompression({ threshold: Infinity, level: 9 })).toEqual({ threshold: Infinity, level: 9 });
    expect(() => resolveCompression({ threshold: -1 })).toThrow(BindingOptionsError);
    expect(() => resolveCompression({ threshold: 1.5 })).toThrow(/whole number/);
    expect(() => resolveCompression({ level: 10 as 9 })).toThrow(/level/);
  });
});
