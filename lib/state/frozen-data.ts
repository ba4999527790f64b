import { hole, notJson, notPlain, settle, tooDeep, tooLong, within } from "../descriptor/json-fault.js";
import { jsonNumberLength, jsonStringLength } from "../descriptor/json-string.js";
import type { JsonLimits, JsonValue } from "../descriptor/json-value.js";

/**
 * Object data is immutable once it is part of a state: `set()` and every link receiver freeze it deeply.
 * That is what makes sharing one state between observers safe, and what lets diffs skip subtrees by
 * identity (a subtree mutated in place would otherwise never be sent). It also makes work proportional to
 * what changed: a container frozen here remembers its JSON length and nesting depth, so validating,
 * freezing and measuring a new state built by structural sharing walks only its new parts.
 */

/**
 * Default bounds on object data, wherever it comes from (a node's own `set`, a peer's state or patch):
 * generous, but bounded.
 */
export const DEFAULT_DATA_LIMITS: JsonLimits = Object.freeze({ maxDepth: 64, maxLength: 64 * 1024 * 1024 });

/**
 * Which containers remember their length: those whose JSON text is at least this long, and the elements
 * of arrays at least LIST_FROM long (rows of a table: the next state shares all but a few). Small data
 * elsewhere re-walks cheaply and costs no memory to remember.
 */
const REMEMBER_FROM = 256;
const LIST_FROM = 16;
/** JSON length × 1024 + nesting depth of containers frozen (and validated) here. */
const known = new WeakMap<object, number>();

/**
 * Validates `value` as JSON within `limits` (InvalidJsonError naming the offending place, `path` being
 * the name of `value` in that message), freezes it deeply and returns the length of its JSON text.
 */
export function freezeData(value: unknown, limits: JsonLimits, path = "$"): number {
  try {
    return lengthOf(walk(value, 0, limits));
  } catch (error) {
    throw settle(error, path);
  }
}

/** Freezes `value` deeply, for JSON already validated elsewhere (stops at what is frozen already). */
export function freezeDeep(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key in value) freezeDeep((value as Record<string, unknown>)[key]);
}

/**
 * The length of the JSON text of state data (which freezeData froze: cheap for the containers it
 * remembers). Only for data that is part of a state: anything else it walks gets frozen.
 */
export function frozenDataLength(value: JsonValue): number {
  return lengthOf(walk(value, 0, UNLIMITED));
}

const UNLIMITED: JsonLimits = { maxDepth: 1000, maxLength: Number.MAX_SAFE_INTEGER };

function lengthOf(measure: number): number {
  return Math.floor(measure / 1024);
}

/** Returns length × 1024 + depth of `value` (a container `depth` levels deep counts from there). */
function walk(value: unknown, depth: number, limits: JsonLimits, listElement = false): number {
  switch (typeof value) {
    case "string": {
      const length = jsonStringLength(value);
      if (length > limits.maxLength) throw tooLong(limits);
      return length * 1024;
    }
    case "number":
      if (value !== value || value === Infinity || value === -Infinity) throw notJson(value);
      return jsonNumberLength(value) * 1024;
    case "boolean":
      return (value ? 4 : 5) * 1024;
    case "object":
      break;
    default:
      throw notJson(value);
  }
  if (value === null) return 4 * 1024;
  const remembered = known.get(value);
  if (remembered !== undefined) {
    if (depth + (remembered % 1024) > limits.maxDepth) throw tooDeep(limits, value);
    return remembered;
  }
  if (depth >= limits.maxDepth) throw tooDeep(limits, value);
  const prototype = Object.getPrototypeOf(value) as object | null;
  let measured: number;
  if (prototype === Array.prototype) measured = walkArray(value as unknown[], depth + 1, limits);
  else if (prototype === Object.prototype || prototype === null) measured = walkObject(value as Record<string, unknown>, depth + 1, limits);
  else throw notPlain(prototype as object);
  Object.freeze(value);
  if (listElement || measured >= REMEMBER_FROM * 1024) known.set(value, measured);
  return measured;
}

/** Length × 1024 + the depth below (and including) this container. */
function walkArray(array: unknown[], depth: number, limits: JsonLimits): number {
  const n = array.length;
  let length = n === 0 ? 2 : n + 1;
  let deepest = 0;
  let i = 0;
  const list = n >= LIST_FROM;
  try {
    for (; i < n; i++) {
      const item = array[i];
      if (item === undefined && !(i in array)) throw hole();
      const measured = walk(item, depth, limits, list);
      length += Math.floor(measured / 1024);
      if (measured % 1024 > deepest) deepest = measured % 1024;
      if (length > limits.maxLength) throw tooLong(limits);
    }
  } catch (error) {
    throw within(error, i, array);
  }
  return length * 1024 + deepest + 1;
}

function walkObject(object: Record<string, unknown>, depth: number, limits: JsonLimits): number {
  let length = 1;
  let deepest = 0;
  let first = true;
  let key = "";
  try {
    for (key in object) {
      if (!hasOwn.call(object, key)) continue;
      const measured = walk(object[key], depth, limits);
      length += (first ? 1 : 2) + jsonStringLength(key) + Math.floor(measured / 1024);
      if (measured % 1024 > deepest) deepest = measured % 1024;
      first = false;
      if (length > limits.maxLength) throw tooLong(limits);
    }
  } catch (error) {
    throw within(error, key, object);
  }
  return (first ? 2 : length + 1) * 1024 + deepest + 1;
}

const hasOwn = Object.prototype.hasOwnProperty;
