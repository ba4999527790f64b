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
  checked(value, resolveLimits(DEFAULT_JSON_LIMITS, limits), path, false);
}

/**
 * Like assertJsonValue, and freezes `value` deeply on the way; returns the length of its JSON text.
 * A large container frozen here remembers its length and depth, so a later value that shares it (a new
 * state built by structural sharing) is validated, frozen and measured only in its new parts.
 */
export function freezeJsonValue(value: unknown, limits: JsonLimits, path = "$"): number {
  return checked(value, limits, path, true);
}

/**
 * The JSON text length of a value freezeJsonValue froze (cheap for the containers it remembers). Only
 * for such values: anything else it walks gets frozen.
 */
export function frozenJsonLength(value: JsonValue): number {
  return Math.floor(walk(value, 0, UNLIMITED, true, false) / DEPTHS);
}

/** How big a JSON value is: the length of its JSON text and how many levels its arrays and objects nest. */
export interface JsonSize {
  /** Characters of JSON text (the same for every key order). */
  readonly length: number;
  /** Levels of arrays and objects: 0 for a string, number, boolean or null, 1 for `[]` or `{"a":1}`. */
  readonly depth: number;
}

/**
 * The size of `value`, JSON checked before (by assertJsonValue, freezeJsonValue or a decoder). Cheap for
 * the containers freezeJsonValue remembered; the rest is walked, and nothing is frozen or remembered, so
 * it may measure values still being built (a patch's copies).
 */
export function measureJsonValue(value: JsonValue): JsonSize {
  return sizeOf(value, false);
}

/**
 * Freezes `value`, JSON checked before, deeply and returns its size, in one walk; its large containers
 * remember their size, as with freezeJsonValue. For values that become state data whole (a patch's).
 */
export function freezeMeasuredJsonValue(value: JsonValue): JsonSize {
  return sizeOf(value, true);
}

/** The size of `value`, JSON checked before, by one unlimited walk that freezes what it passes when `freeze`. */
function sizeOf(value: JsonValue, freeze: boolean): JsonSize {
  let measured: number;
  try {
    measured = walk(value, 0, UNLIMITED, freeze, false);
  } catch (error) {
    throw settle(error, "$");
  }
  return { length: Math.floor(measured / DEPTHS), depth: measured % DEPTHS };
}

/**
 * The walk below returns a value's JSON length × DEPTHS + its nesting depth (0 for leaves), so one
 * number carries both up the recursion. Depth never exceeds MAX_SUPPORTED_DEPTH (1000) < DEPTHS.
 */
const DEPTHS = 1024;
/**
 * Which containers remember their length and depth: those whose JSON text is at least REMEMBER_FROM
 * long, and the elements of arrays at least LIST_FROM long (rows of a table: the next state shares all
 * but a few). Only frozen containers are remembered (a remembered one cannot change); small data
 * elsewhere re-walks cheaply and costs no memory to remember.
 */
const REMEMBER_FROM = 256;
const LIST_FROM = 16;
const known = new WeakMap<object, number>();
const UNLIMITED: JsonLimits = { maxDepth: 1000, maxLength: Number.MAX_SAFE_INTEGER };

function checked(value: unknown, limits: JsonLimits, path: string, freeze: boolean): number {
  try {
    const length = Math.floor(walk(value, 0, limits, freeze, false) / DEPTHS);
    if (length > limits.maxLength) throw tooLong(limits);
    return length;
  } catch (error) {
    throw settle(error, path);
  }
}

/**
 * Validates `value`, a container nested `depth` levels deep (freezing what it walks when `freeze`), and
 * returns its length × DEPTHS + depth. The same checks in the same order as the canonicalizing walk
 * of canonical-json.ts, so both report the same kind of problem; faults carry no path yet.
 */
function walk(value: unknown, depth: number, limits: JsonLimits, freeze: boolean, listElement: boolean): number {
  switch (typeof value) {
    case "string": {
      const length = jsonStringLength(value);
      if (length > limits.maxLength) throw tooLong(limits);
      return length * DEPTHS;
    }
    case "number":
      if (value !== value || value === Infinity || value === -Infinity) throw notJson(value);
      return jsonNumberLength(value) * DEPTHS;
    case "boolean":
      return (value ? 4 : 5) * DEPTHS;
    case "object":
      break;
    default:
      throw notJson(value);
  }
  if (value === null) return 4 * DEPTHS;
  const remembered = known.get(value);
  if (remembered !== undefined) {
    if (depth + (remembered % DEPTHS) > limits.maxDepth) throw tooDeep(limits, value);
    return remembered;
  }
  if (depth >= limits.maxDepth) throw tooDeep(limits, value);
  const prototype = Object.getPrototypeOf(value) as object | null;
  let measured: number;
  if (prototype === Array.prototype) measured = walkArray(value as readonly unknown[], depth + 1, limits, freeze);
  else if (prototype === Object.prototype || prototype === null) measured = walkObject(value as { readonly [key: string]: unknown }, depth + 1, limits, freeze);
  else throw notPlain(prototype);
  if (freeze) {
    Object.freeze(value);
    if (listElement || measured >= REMEMBER_FROM * DEPTHS) known.set(value, measured);
  }
  return measured;
}

function walkArray(array: readonly unknown[], depth: number, limits: JsonLimits, freeze: boolean): number {
  const n = array.length;
  let length = n === 0 ? 2 : n + 1; // brackets and commas
  let deepest = 0;
  let i = 0;
  const list = n >= LIST_FROM;
  try {
    for (; i < n; i++) {
      const item = array[i];
      if (item === undefined && !(i in array)) throw hole();
      const measured = walk(item, depth, limits, freeze, list);
      length += Math.floor(measured / DEPTHS);
      if (measured % DEPTHS > deepest) deepest = measured % DEPTHS;
      if (length > limits.maxLength) throw tooLong(limits);
    }
  } catch (error) {
    throw within(error, i, array);
  }
  return length * DEPTHS + deepest + 1;
}

function walkObject(object: { readonly [key: string]: unknown }, depth: number, limits: JsonLimits, freeze: boolean): number {
  let length = 2; // braces
  let deepest = 0;
  let first = true;
  let key = "";
  try {
    // for-in over own keys: no key array to allocate, and the length does not depend on key order.
    for (key in object) {
      if (!hasOwn.call(object, key)) continue;
      const measured = walk(object[key], depth, limits, freeze, false);
      length += (first ? 1 : 2) + jsonStringLength(key) + Math.floor(measured / DEPTHS);
      if (measured % DEPTHS > deepest) deepest = measured % DEPTHS;
      first = false;
      if (length > limits.maxLength) throw tooLong(limits);
    }
  } catch (error) {
    throw within(error, key, object);
  }
  return length * DEPTHS + deepest + 1;
}

const hasOwn = Object.prototype.hasOwnProperty;
