import { DEFAULT_JSON_LIMITS } from "./json-value.js";
import type { JsonLimits } from "./json-value.js";
import { resolveLimits } from "./resolve-limits.js";

/**
 * Bounds on a descriptor. `maxDepth` applies to each JSON value (every tag, the object's json);
 * `maxLength` bounds a descriptor's whole canonical key (for a tag, its canonical JSON text);
 * `maxTags` bounds how many distinct tags an object descriptor carries.
 */
export interface DescriptorLimits extends JsonLimits {
  readonly maxTags: number;
}

/** Defaults: 32 levels, 16 KiB of canonical key, 64 tags. */
export const DEFAULT_DESCRIPTOR_LIMITS: DescriptorLimits = Object.freeze({ ...DEFAULT_JSON_LIMITS, maxTags: 64 });

/**
 * Completes user-supplied limits with DEFAULT_DESCRIPTOR_LIMITS, throwing InvalidLimitsError when one
 * is not a positive integer. Cheap to call again on its own result.
 */
export function resolveDescriptorLimits(limits?: Partial<DescriptorLimits>): DescriptorLimits {
  return resolveLimits(DEFAULT_DESCRIPTOR_LIMITS, limits);
}
