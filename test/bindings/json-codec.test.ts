import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError } from "../../lib/choreography/errors.js";
import { jsonCodec } from "../../bindings/json-codec.js";

describe("jsonCodec", () => {
  it("round-trips JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonCodec.decode(jsonCodec.encode(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it("encodes UTF-8 and carries undefined as zero bytes", () => {
    expect(new TextDecoder().decode(jsonCodec.encode({ a: "żółw" }))).toBe('{"a":"żółw"}');
    expect(jsonCodec.encode(undefined)).toHaveLength(0);
    expect(jsonCodec.decode(new Uint8Array(0))).toBeUndefined();
  });

  it("refuses values JSON cannot carry with a CodecError", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonCodec.encode(cyclic)).toThrow(CodecError);
    expect(() => jsonCodec.encode({ n: 1n })).toThrow(/Cannot encode payload as JSON/);
  });

  it("refuses bad JSON and invalid UTF-8 with a CodecError", () => {
    expect(() => jsonCodec.decode(new TextEncoder().encode("{"))).toThrow(CodecError);
    expect(() => jsonCodec.decode(Uint8Array.of(0x22, 0xff, 0x22))).toThrow(/UTF-8 JSON/);
  });

  it("decodes any bytes to a value or a CodecError, never anything else", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 32 }), fc.string().map((s) => new TextEncoder().encode(s))), (bytes) => {
        try {
          jsonCodec.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
