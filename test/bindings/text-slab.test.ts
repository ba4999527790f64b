import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TextSlab } from "../../bindings/text-slab.js";

const decoder = new TextDecoder();

describe("TextSlab", () => {
  it("encodes like TextEncoder, and bytes handed out are never overwritten by later encodings", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 400 }), { maxLength: 200 }), (texts) => {
        const slab = new TextSlab(3 * 8 * 1024);
        const encoded = texts.map((text) => slab.encode(text));
        const reference = new TextEncoder();
        texts.forEach((text, i) => {
          expect(encoded[i]).toEqual(reference.encode(text));
          expect(decoder.decode(encoded[i])).toBe(text);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("shares slabs between small texts and gives long ones a buffer of their own", () => {
    const slab = new TextSlab();
    const a = slab.encode("alpha");
    const b = slab.encode("beta");
    expect(a.buffer).toBe(b.buffer);
    const long = slab.encode("x".repeat(10_000));
    expect(long.buffer).not.toBe(a.buffer);
    expect(long.length).toBe(10_000);
  });

  it("starts a new slab when a text might not fit, leaving the old views intact", () => {
    const slab = new TextSlab(3 * 8 * 1024);
    const first = slab.encode("é".repeat(8000));
    const second = slab.encode("ü".repeat(8000));
    expect(second.buffer).not.toBe(first.buffer);
    expect(decoder.decode(first)).toBe("é".repeat(8000));
    expect(() => new TextSlab(100)).toThrow(RangeError);
  });
});
