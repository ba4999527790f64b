import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CodecError } from "../../lib/choreography/errors.js";
import { jsonCodec } from "../../bindings/json-codec.js";
import { tooDeepAt } from "../../bindings/json-depth.js";
import { DEFAULT_BINDING_LIMITS, resolveBindingLimits } from "../../bindings/limits.js";

const utf8 = (text: string) => new TextEncoder().encode(text);

afterEach(() => {
  vi.restoreAllMocks();
});

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

  it("refuses a payload nested deeper than maxJsonDepth before JSON.parse sees it", () => {
    const parse = vi.spyOn(JSON, "parse");
    const deep = utf8("[".repeat(100_000) + "]".repeat(100_000));
    expect(() => jsonCodec.decode(deep, DEFAULT_BINDING_LIMITS)).toThrow(
      "A 200000-byte JSON payload nests arrays and objects deeper than maxJsonDepth (80) at byte 80; refused before parsing.",
    );
    expect(() => jsonCodec.decode(utf8('{"a":'.repeat(10) + "1" + "}".repeat(10)), resolveBindingLimits({ maxJsonDepth: 9 }))).toThrow(CodecError);
    expect(parse).not.toHaveBeenCalled();
    const limits = resolveBindingLimits({ maxJsonDepth: 3 });
    expect(jsonCodec.decode(utf8('[{"a":[1]}]'), limits)).toEqual([{ a: [1] }]);
    expect(() => jsonCodec.decode(utf8('[{"a":[[1]]}]'), limits)).toThrow(/deeper than maxJsonDepth \(3\) at byte 7/);
  });

  it("counts only brackets outside strings, escaped quotes included", () => {
    expect(tooDeepAt(utf8(String.raw`["[[[[", "\\", "\\\"[[[[", {"k[": "}}}"}]`), 2)).toBe(-1);
    expect(tooDeepAt(utf8(String.raw`["\\"   , [[1]]]`), 2)).toBe(11);
    expect(tooDeepAt(utf8(String.raw`{"a":"\\\"", "b":[[]]}`), 2)).toBe(18);
    // Strings short and long (crossed from quote to quote), full of quotes, backslashes and brackets.
    const tricky = fc.string({ unit: fc.constantFrom('"', "\\", "[", "]", "{", "}", "a", "é"), maxLength: 60 });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, fc.jsonValue({ maxDepth: 2 }), tricky, fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(tricky, tie("node"), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 1, max: 8 }), (value, maxDepth) => {
        const bytes = utf8(JSON.stringify(value));
        const at = tooDeepAt(bytes, maxDepth);
        expect(at >= 0).toBe(depth(value) > maxDepth);
        if (at >= 0) expect("[{").toContain(String.fromCharCode(bytes[at] as number));
      }),
      { numRuns: 500, seed: 64 },
    );
  });
});

/** Nesting depth of arrays and objects in `value` (0 for a scalar). */
function depth(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let deepest = 0;
  for (const item of Object.values(value)) deepest = Math.max(deepest, depth(item));
  return deepest + 1;
}
