import type { JsonValue } from "../descriptor/json-value.js";

/** The key that makes an object a claim reference inside a selector: `{ "$claim": "id" }`. */
export const CLAIM_KEY = "$claim";

/** Looks up a principal's claim by name; undefined when the principal has no such claim. */
export type ClaimLookup = (name: string) => JsonValue | undefined;

/**
 * The claim name `value` refers to when it is a claim reference (an object whose only key is `$claim`
 * with a string value), else undefined. parsePolicy has made sure every `$claim` key is of that form.
 */
export function claimReferenced(value: JsonValue): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const name = (value as { readonly [key: string]: JsonValue })[CLAIM_KEY];
  return typeof name === "string" && Object.hasOwn(value, CLAIM_KEY) ? name : undefined;
}

/**
 * `value` with every claim reference replaced by the claim's value, taken as it is (a claim is never
 * read as a pattern or as a further reference). Every referenced claim must exist in `claim`.
 */
export function withClaims(value: JsonValue, claim: ClaimLookup): JsonValue {
  if (typeof value !== "object" || value === null) return value;
  const name = claimReferenced(value);
  if (name !== undefined) return claim(name)!;
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map((item) => withClaims(item, claim));
  const object = value as { readonly [key: string]: JsonValue };
  const copy: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(object)) {
    Object.defineProperty(copy, key, { value: withClaims(object[key]!, claim), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** The names of the claims `value` refers to, each once, in the order they appear. */
export function claimsIn(value: JsonValue, names: string[] = []): string[] {
  if (typeof value !== "object" || value === null) return names;
  const name = claimReferenced(value);
  if (name !== undefined) {
    if (!names.includes(name)) names.push(name);
  } else if (Array.isArray(value)) {
    for (const item of value as readonly JsonValue[]) claimsIn(item, names);
  } else {
    const object = value as { readonly [key: string]: JsonValue };
    for (const key of Object.keys(object)) claimsIn(object[key]!, names);
  }
  return names;
}
