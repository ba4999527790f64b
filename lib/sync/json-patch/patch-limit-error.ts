import type { JsonLimits } from "../../descriptor/json-value.js";
import { HakubanError } from "../../errors/hakuban-error.js";

/**
 * A patch would make a document larger or deeper than the limits it was applied within. Nothing was
 * kept: the document is as it was. A peer that sends such a patch is over the limits the receiver set.
 */
export class PatchLimitError extends HakubanError {
  readonly code = "PATCH_LIMIT";

  /**
   * @param length the JSON text length the patched document would have
   * @param depth how deep it would nest, at most (an upper bound)
   * @param limits the limits it breaks
   */
  constructor(
    readonly length: number,
    readonly depth: number,
    readonly limits: JsonLimits,
  ) {
    super(`Cannot apply the patch: the result would be ${overLimits(length, depth, limits)}; the document is left as it was`);
  }
}

/** How a document of `length` and `depth` breaks `limits` (the length first), for messages: "… characters of JSON, more than maxLength (…)". */
export function overLimits(length: number, depth: number, limits: JsonLimits): string {
  return length > limits.maxLength
    ? `${length} characters of JSON, more than maxLength (${limits.maxLength})`
    : `${depth} levels deep, deeper than maxDepth (${limits.maxDepth})`;
}
