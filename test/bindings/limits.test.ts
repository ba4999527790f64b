import { describe, expect, it } from "vitest";
import { BindingOptionsError } from "../../bindings/binding-options-error.js";
import { MAX_FRAME_HEADER_BYTES } from "../../bindings/frame-header.js";
import { DEFAULT_BINDING_LIMITS, resolveBindingLimits } from "../../bindings/limits.js";

describe("binding limits", () => {
  it("fills in defaults, with messages that fit one largest frame", () => {
    expect(resolveBindingLimits()).toEqual(DEFAULT_BINDING_LIMITS);
    expect(DEFAULT_BINDING_LIMITS.maxMessageBytes).toBe(DEFAULT_BINDING_LIMITS.maxFrameBytes + MAX_FRAME_HEADER_BYTES);
    expect(resolveBindingLimits({ maxFrameBytes: 1000 })).toEqual({
      maxFrameBytes: 1000,
      maxInflatedBytes: DEFAULT_BINDING_LIMITS.maxInflatedBytes,
      maxMessageBytes: 1000 + MAX_FRAME_HEADER_BYTES,
      maxJsonDepth: 80,
    });
    expect(resolveBindingLimits({ maxFrameBytes: 10, maxMessageBytes: 5000, maxInflatedBytes: 7, maxJsonDepth: 3 })).toEqual({
      maxFrameBytes: 10,
      maxMessageBytes: 5000,
      maxInflatedBytes: 7,
      maxJsonDepth: 3,
    });
  });

  it("refuses values that are not positive 32-bit integers", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 32, "10" as unknown as number]) {
      expect(() => resolveBindingLimits({ maxFrameBytes: bad })).toThrow(BindingOptionsError);
      expect(() => resolveBindingLimits({ maxInflatedBytes: bad })).toThrow(/maxInflatedBytes must be an integer/);
      expect(() => resolveBindingLimits({ maxJsonDepth: bad })).toThrow(/maxJsonDepth must be an integer between 1 and 4294967295 levels/);
    }
  });

  it("refuses messages too small for one largest frame", () => {
    expect(() => resolveBindingLimits({ maxFrameBytes: 100, maxMessageBytes: 100 })).toThrow(
      /maxMessageBytes \(100\) cannot hold one largest frame/,
    );
  });
});
