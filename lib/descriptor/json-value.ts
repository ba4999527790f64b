import { canonicalJsonOf } from "./canonical-json.js";
import { resolveLimits } from "./resolve-limits.js";

/** Any JSON value: what descriptors and (by default) object data are made of. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Bounds on a JSON value, so untrusted or accidental huge values are refused early. */
export interface JsonLimits {
  /** How many levels of arrays/objects may nest (a top-level `[]` or `{}` is level 1). */
  readonly maxDepth: number;
  /** How many characters the canonical JSON text may have. */
  readonly maxLength: number;
}

/** Descriptor-sized defaults: 32 levels, 16 KiB of canonical JSON. */
export const DEFAULT_JSON_LIMITS: JsonLimits = Object.freeze({ maxDepth: 32, maxLength: 16 * 1024 });

/**
 * Checks that `value` is plain JSON within `limits` (defaults: DEFAULT_JSON_LIMITS) and throws an
 * InvalidJsonError naming the offending place otherwise; `path` is the name of `value` itself in that
 * message (default `$`). Rejects undefined, functions, symbols, BigInt, NaN/±Infinity, cycles, sparse
 * array holes, symbol keys and objects other than plain arrays, plain objects and null-prototype objects.
 */
export function assertJsonValue(value: unknown, limits?: Partial<JsonLimits>, path?: string): asserts value is JsonValue {
  canonicalJsonOf(value, resolveLimits(DEFAULT_JSON_LIMITS, limits), path);
}
