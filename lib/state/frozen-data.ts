import type { JsonLimits } from "../descriptor/json-value.js";
import { resolveLimits } from "../descriptor/resolve-limits.js";

/**
 * Object data is immutable once it is part of a state: `set()` and every link receiver freeze it deeply.
 * That is what makes sharing one state between observers safe, and what lets diffs skip subtrees by
 * identity (a subtree mutated in place would otherwise never be sent). It also makes work proportional to
 * what changed: a large container frozen by freezeData remembers its JSON length and nesting depth, so
 * validating, freezing and measuring a new state built by structural sharing walks only its new parts.
 */

export {
  /** Validates data as JSON within limits, freezes it deeply and returns its JSON text length. */
  freezeJsonValue as freezeData,
  /** The JSON text length of frozen state data (cheap for the containers freezeData remembered). */
  frozenJsonLength as frozenDataLength,
  /** The JSON length and depth of checked data, without freezing it (cheap for the containers freezeData remembered). */
  measureJsonValue as measureData,
} from "../descriptor/json-value.js";

/**
 * Default bounds on object data, wherever it comes from (a node's own `set`, a peer's state or patch):
 * generous, but bounded.
 */
export const DEFAULT_DATA_LIMITS: JsonLimits = Object.freeze({ maxDepth: 64, maxLength: 64 * 1024 * 1024 });

/**
 * Data limits as given (a node's for its own data, a link's for its peer's states) completed from
 * DEFAULT_DATA_LIMITS; throws InvalidLimitsError for a limit that is not a positive integer.
 */
export function resolveDataLimits(given: Partial<JsonLimits> | undefined): JsonLimits {
  return resolveLimits(DEFAULT_DATA_LIMITS, given);
}

/** Freezes `value` deeply, for JSON already validated elsewhere (stops at what is frozen already). */
export function freezeDeep(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key in value) freezeDeep((value as Record<string, unknown>)[key]);
}
