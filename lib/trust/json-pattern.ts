import type { JsonValue } from "../descriptor/json-value.js";
import { jsonEqual } from "../descriptor/json-equal.js";
import { claimReferenced, withClaims } from "./claim-reference.js";
import type { ClaimLookup } from "./claim-reference.js";

/** Whether a JSON value matches a compiled pattern. */
export type JsonMatcher = (value: JsonValue) => boolean;

/**
 * Compiles a selector's pattern into a matcher, once, so matching a value walks only the pattern. An
 * object pattern matches an object (not an array) that has every key of the pattern with a matching
 * value, recursively; an array or a scalar matches an equal value as a whole (an array's claim
 * references substituted first); a claim reference matches a value equal to the claim as a whole.
 * Every referenced claim must exist in `claim`.
 */
export function patternMatcher(pattern: JsonValue, claim?: ClaimLookup): JsonMatcher {
  if (typeof pattern !== "object" || pattern === null) return (value) => value === pattern;
  const name = claim === undefined ? undefined : claimReferenced(pattern);
  if (name !== undefined) return equalTo(claim!(name)!);
  if (Array.isArray(pattern)) return equalTo(claim === undefined ? pattern : withClaims(pattern, claim));
  const object = pattern as { readonly [key: string]: JsonValue };
  const keys = Object.keys(object);
  const matchers = keys.map((key) => patternMatcher(object[key]!, claim));
  const n = keys.length;
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      if (!hasOwn.call(value, key)) return false;
      if (!matchers[i]!((value as { readonly [key: string]: JsonValue })[key]!)) return false;
    }
    return true;
  };
}

/** A matcher of values equal to `expected` as whole JSON values (a scalar by ===, containers deeply). */
function equalTo(expected: JsonValue): JsonMatcher {
  if (typeof expected !== "object" || expected === null) return (value) => value === expected;
  return (value) => jsonEqual(expected, value);
}

const hasOwn = Object.prototype.hasOwnProperty;
