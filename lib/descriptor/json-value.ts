import { hole, notJson, notPlain, settle, tooDeep, tooLong, within } from "./json-fault.js";
import { jsonNumberLength, jsonStringLength } from "./json-string.js";
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
 * array holes and objects other than plain arrays, plain objects and null-prototype objects.
 * Properties JSON.stringify ignores (symbol-keyed, non-enumerable) are not part of the value and are
 * not looked at: checking for symbol keys would cost more than the whole walk of a small object, and
 * such properties never travel. (Descriptors, validated once, reject symbol keys outright.)
 * Builds no text (it only counts the canonical length), so it costs about one JSON.stringify.
 */
export function assertJsonValue(value: unknown, limits?: Partial<JsonLimits>, path = "$"): asserts value is JsonValue {
  try {
    const resolved = resolveLimits(DEFAULT_JSON_LIMITS, limits);
    if (measure(value, 0, resolved) > resolved.maxLength) throw tooLong(resolved);
  } catch (error) {
    throw settle(error, path);
  }
}

/**
 * Validates `value`, a container nested `depth` levels deep, and returns the length of its canonical
 * JSON text. The same checks in the same (canonical) order as the canonicalizing walk of
 * canonical-json.ts, so both report the same problem at the same path; faults carry no path yet.
 */
function measure(value: unknown, depth: number, limits: JsonLimits): number {
  switch (typeof value) {
    case "string": {
      const length = jsonStringLength(value);
      if (length > limits.maxLength) throw tooLong(limits);
      return length;
    }
    case "number":
      if (value !== value || value === Infinity || value === -Infinity) throw notJson(value);
      return jsonNumberLength(value);
    case "boolean":
      return value ? 4 : 5;
    case "object":
      break;
    default:
      throw notJson(value);
  }
  if (value === null) return 4;
  if (depth >= limits.maxDepth) throw tooDeep(limits, value);
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === Array.prototype) return measureArray(value as readonly unknown[], depth + 1, limits);
  if (prototype === Object.prototype || prototype === null) {
    return measureObject(value as { readonly [key: string]: unknown }, depth + 1, limits);
  }
  throw notPlain(prototype);
}

function measureArray(array: readonly unknown[], depth: number, limits: JsonLimits): number {
  const n = array.length;
  let length = 1;
  let i = 0;
  try {
    for (; i < n; i++) {
      const item = array[i];
      if (item === undefined && !(i in array)) throw hole();
      length += (i > 0 ? 1 : 0) + measure(item, depth, limits);
      if (length >= limits.maxLength) throw tooLong(limits);
    }
  } catch (error) {
    throw within(error, i, array);
  }
  return length + 1;
}

function measureObject(object: { readonly [key: string]: unknown }, depth: number, limits: JsonLimits): number {
  let length = 1;
  let first = true;
  let key = "";
  try {
    // for-in over own keys: no key array to allocate, and the length does not depend on key order.
    for (key in object) {
      if (!hasOwn.call(object, key)) continue;
      length += (first ? 1 : 2) + jsonStringLength(key) + measure(object[key], depth, limits);
      first = false;
      if (length >= limits.maxLength) throw tooLong(limits);
    }
  } catch (error) {
    throw within(error, key, object);
  }
  return length + 1;
}

const hasOwn = Object.prototype.hasOwnProperty;
