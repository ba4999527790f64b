import { Inflate, deflateSync } from "fflate";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CodecError } from "../../lib/choreography/errors.js";
import { BindingOptionsError } from "../../bindings/binding-options-error.js";
import {
  DEFAULT_COMPRESSION,
  NO_COMPRESSION,
  deflatePayload,
  inflatePayload,
  resolveCompression,
} from "../../bindings/compression.js";

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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

afterEach(() => {
  vi.restoreAllMocks();
});

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
    const compressed = deflateSync(raw, { level: 0 });
    expect(sameBytes(inflatePayload(compressed, raw.length), raw)).toBe(true);
    expect(sameBytes(inflatePayload(compressed, 1 << 30), raw)).toBe(true);
  });

  it("refuses an inflate bomb near the limit, without inflating it in full", () => {
    const bomb = deflateSync(new Uint8Array(10_000_000), { level: 1 });
    expect(bomb.length).toBeLessThan(20_000);
    let produced = 0;
    const push = Inflate.prototype.push;
    vi.spyOn(Inflate.prototype, "push").mockImplementation(function (this: Inflate, chunk, final) {
      const ondata = this.ondata;
      this.ondata = (data, last) => {
        produced += data.length;
        ondata.call(this, data, last);
      };
      try {
        push.call(this, chunk, final);
      } finally {
        this.ondata = ondata;
      }
    });
    const limit = 64 * 1024;
    expect(() => inflatePayload(bomb, limit)).toThrow(CodecError);
    expect(() => inflatePayload(bomb, limit)).toThrow(/maxInflatedBytes \(65536\)/);
    expect(produced).toBeGreaterThan(0);
    expect(produced / 2).toBeLessThan(limit + 1024 * 1032);
    expect(produced / 2).toBeLessThan(2_000_000);
  });

  it("accepts exactly the limit", () => {
    const raw = text(50_000);
    const compressed = deflateSync(raw);
    expect(sameBytes(inflatePayload(compressed, 50_000), raw)).toBe(true);
    expect(() => inflatePayload(compressed, 49_999)).toThrow(CodecError);
  });

  it("refuses corrupt, truncated and empty streams with a CodecError", () => {
    const compressed = deflateSync(text(10_000));
    expect(() => inflatePayload(compressed.subarray(0, compressed.length - 3), 1 << 20)).toThrow(/Truncated|Corrupt/);
    expect(() => inflatePayload(new Uint8Array(0), 1 << 20)).toThrow(/Truncated/);
    expect(() => inflatePayload(Uint8Array.of(0xff, 0xff, 0xff), 1 << 20)).toThrow(CodecError);
  });

  it("turns any bytes into output within the limit or a CodecError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          expect(inflatePayload(bytes, 4096).length).toBeLessThanOrEqual(4096);
        } catch (error) {
          expect(error).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 1000 },
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
