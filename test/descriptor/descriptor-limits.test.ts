import { describe, expect, it } from "vitest";
import { DEFAULT_DESCRIPTOR_LIMITS, resolveDescriptorLimits } from "../../lib/descriptor/descriptor-limits.js";
import { InvalidLimitsError } from "../../lib/descriptor/invalid-limits-error.js";

describe("descriptor limits", () => {
  it("has frozen defaults of 32 levels, 16 KiB and 64 tags", () => {
    expect(DEFAULT_DESCRIPTOR_LIMITS).toEqual({ maxDepth: 32, maxLength: 16384, maxTags: 64 });
    expect(Object.isFrozen(DEFAULT_DESCRIPTOR_LIMITS)).toBe(true);
  });

  it("returns the defaults themselves when nothing is given", () => {
    expect(resolveDescriptorLimits()).toBe(DEFAULT_DESCRIPTOR_LIMITS);
    expect(resolveDescriptorLimits(DEFAULT_DESCRIPTOR_LIMITS)).toBe(DEFAULT_DESCRIPTOR_LIMITS);
  });

  it("fills missing limits from the defaults and returns its own result as is", () => {
    const resolved = resolveDescriptorLimits({ maxTags: 3 });
    expect(resolved).toEqual({ maxDepth: 32, maxLength: 16384, maxTags: 3 });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(resolveDescriptorLimits(resolved)).toBe(resolved);
    expect(resolveDescriptorLimits({ maxDepth: undefined, maxLength: 10 })).toEqual({ maxDepth: 32, maxLength: 10, maxTags: 64 });
  });

  it("rejects limits that are not positive integers, naming the limit", () => {
    const bad: unknown[] = [0, -3, 2.5, NaN, Infinity, "5", null, 2 ** 53];
    for (const value of bad) {
      for (const name of ["maxDepth", "maxLength", "maxTags"]) {
        expect(() => resolveDescriptorLimits({ [name]: value } as never)).toThrow(InvalidLimitsError);
        expect(() => resolveDescriptorLimits({ [name]: value } as never)).toThrow(
          new RegExp(`Limit ${name} must be a positive integer`),
        );
      }
    }
  });

  it("caps maxDepth so validation cannot overflow the stack", () => {
    expect(resolveDescriptorLimits({ maxDepth: 1000 }).maxDepth).toBe(1000);
    expect(() => resolveDescriptorLimits({ maxDepth: 1001 })).toThrow(/at most 1000/);
  });
});
