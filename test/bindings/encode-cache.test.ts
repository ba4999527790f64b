import { describe, expect, it, vi } from "vitest";
import { resolveCompression } from "../../bindings/compression.js";
import { EncodeCache } from "../../bindings/encode-cache.js";
import { jsonCodec } from "../../bindings/json-codec.js";
import type { PayloadCodec } from "../../bindings/payload-codec.js";

function countingCodec(): PayloadCodec & { encode: ReturnType<typeof vi.fn> } {
  return { name: "counting", encode: vi.fn(jsonCodec.encode), decode: jsonCodec.decode } as never;
}

describe("EncodeCache", () => {
  const compression = resolveCompression({ threshold: 10 });

  it("encodes and compresses a frozen object once, however often it is sent", () => {
    const cache = new EncodeCache();
    const codec = countingCodec();
    const payload = Object.freeze({ records: new Array(50).fill({ name: "same", value: 1 }) });
    const first = cache.encode(payload, codec, compression);
    expect(first.compressed).toBe(true);
    expect(cache.encode(payload, codec, compression)).toBe(first);
    expect(codec.encode).toHaveBeenCalledTimes(1);
    cache.encode({ ...payload }, codec, compression);
    expect(codec.encode).toHaveBeenCalledTimes(2);
  });

  it("does not reuse bytes made with another codec or compression", () => {
    const cache = new EncodeCache();
    const codec = countingCodec();
    const payload = Object.freeze({ text: "x".repeat(100) });
    const compressed = cache.encode(payload, codec, compression);
    const plain = cache.encode(payload, codec, resolveCompression(false));
    expect(compressed.compressed).toBe(true);
    expect(plain.compressed).toBe(false);
    expect(cache.encode(payload, jsonCodec, resolveCompression(false))).not.toBe(plain);
  });

  it("encodes objects that are not frozen every time (they may change between sends)", () => {
    const cache = new EncodeCache();
    const codec = countingCodec();
    const payload = { n: 1 };
    cache.encode(payload, codec, compression);
    payload.n = 2;
    const second = cache.encode(payload, codec, compression);
    expect(codec.encode).toHaveBeenCalledTimes(2);
    expect(new TextDecoder().decode(second.bytes)).toContain("2");
  });

  it("forgets at the end of the tick (no bytes kept alive after fan-out)", async () => {
    const cache = new EncodeCache();
    const codec = countingCodec();
    const payload = Object.freeze({ n: 1 });
    cache.encode(payload, codec, compression);
    cache.encode(payload, codec, compression);
    expect(codec.encode).toHaveBeenCalledTimes(1);
    await Promise.resolve();
    cache.encode(payload, codec, compression);
    expect(codec.encode).toHaveBeenCalledTimes(2);
  });

  it("encodes primitives every time", () => {
    const cache = new EncodeCache();
    const codec = countingCodec();
    cache.encode("text", codec, compression);
    cache.encode("text", codec, compression);
    expect(codec.encode).toHaveBeenCalledTimes(2);
  });
});
