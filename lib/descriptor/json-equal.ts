import type { JsonValue } from "./json-value.js";

/**
 * Whether two JSON values mean the same JSON: same primitives (`0` and `-0` are equal, as in JSON
 * text), arrays equal element by element, objects with the same own keys in any order. Identical
 * subtrees are recognised by reference without being walked.
 */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return false;
    const n = a.length;
    if (b.length !== n) return false;
    for (let i = 0; i < n; i++) if (!jsonEqual(a[i] as JsonValue, b[i] as JsonValue)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const objectA = a as { readonly [key: string]: JsonValue };
  const objectB = b as { readonly [key: string]: JsonValue };
  const keys = Object.keys(objectA);
  if (keys.length !== Object.keys(objectB).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(objectB, key) || !jsonEqual(objectA[key]!, objectB[key]!)) return false;
  }
  return true;
}
