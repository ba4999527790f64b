import { InvalidJsonError } from "./invalid-json-error.js";
import type { JsonLimits, JsonValue } from "./json-value.js";

/**
 * Canonical JSON text of a valid JsonValue: object keys sorted by UTF-16 code units, no whitespace,
 * numbers as JSON.stringify prints them (-0 → 0). Equal values give equal text in every process, so
 * the text serves as an identity key. The value is trusted (it must be valid JSON, e.g. checked by
 * assertJsonValue or produced by JSON.parse); for untrusted input use canonicalJsonOf.
 */
export function canonicalJson(value: JsonValue): string {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
      return "" + value;
    case "boolean":
      return value ? "true" : "false";
  }
  if (value === null) return "null";
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[];
    const n = items.length;
    if (n === 0) return "[]";
    let text = "[" + canonicalJson(items[0]!);
    for (let i = 1; i < n; i++) text += "," + canonicalJson(items[i]!);
    return text + "]";
  }
  const object = value as { readonly [key: string]: JsonValue };
  const keys = sortKeys(Object.keys(object));
  const n = keys.length;
  if (n === 0) return "{}";
  let text = "{";
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    if (i > 0) text += ",";
    text += quote(key) + ":" + canonicalJson(object[key]!);
  }
  return text + "}";
}

/**
 * Validates untrusted `value` against `limits` and returns its canonical JSON text in the same single
 * pass; throws InvalidJsonError naming the offending place (`path` names `value` itself, default `$`).
 * Depth is checked before descending, so hostile nesting cannot overflow the stack.
 */
export function canonicalJsonOf(value: unknown, limits: JsonLimits, path = "$"): string {
  try {
    return walk(value, 0, limits, false);
  } catch (error) {
    throw error instanceof JsonFault ? error.toError(path) : error;
  }
}

/** A canonical JSON text together with a deep-frozen private copy of the value it was made from. */
export interface CanonicalJson {
  readonly text: string;
  readonly value: JsonValue;
}

/**
 * Like canonicalJsonOf, and also builds a deep-frozen copy of the value (keys inserted in canonical
 * order, though JavaScript still enumerates integer-like keys first) in the same pass, for holders that must not see later mutations of the caller's object. Measured faster than
 * canonicalizing, then JSON.parse and freezing.
 */
export function canonicalCopyOf(value: unknown, limits: JsonLimits, path = "$"): CanonicalJson {
  try {
    const text = walk(value, 0, limits, true);
    return { text, value: copied };
  } catch (error) {
    throw error instanceof JsonFault ? error.toError(path) : error;
  }
}

/** Strings that need no escaping can be quoted by hand, much faster than JSON.stringify. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}

/** Sorts in place by UTF-16 code units; insertion sort beats Array.prototype.sort on the usual few keys. */
function sortKeys(keys: string[]): string[] {
  const n = keys.length;
  if (n > 16) return keys.sort();
  for (let i = 1; i < n; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * The copy of the value last walked with `copy` set: each walk call leaves its result here just
 * before returning, and the caller picks it up immediately (getters run before, never in between).
 */
let copied: JsonValue = null;

/** Validates and canonicalizes `value`, a container nested `depth` levels deep; faults carry no path yet. */
function walk(value: unknown, depth: number, limits: JsonLimits, copy: boolean): string {
  switch (typeof value) {
    case "string": {
      const text = quote(value);
      if (text.length > limits.maxLength) throw tooLong(limits);
      if (copy) copied = value;
      return text;
    }
    case "number":
      if (value !== value || value === Infinity || value === -Infinity) {
        throw new JsonFault(`${value} is not a JSON value (JSON numbers are finite; use null or a string)`);
      }
      if (copy) copied = value === 0 ? 0 : value;
      return "" + value;
    case "boolean":
      if (copy) copied = value;
      return value ? "true" : "false";
    case "object":
      break;
    case "undefined":
      throw new JsonFault("undefined is not a JSON value (use null)");
    case "bigint":
      throw new JsonFault("a BigInt is not a JSON value (convert it to a number or a string)");
    default:
      throw new JsonFault(`a ${typeof value} is not a JSON value (remove it or replace it with data)`);
  }
  if (value === null) {
    if (copy) copied = null;
    return "null";
  }
  if (depth >= limits.maxDepth) {
    throw new JsonFault(`nests deeper than ${limits.maxDepth} levels (limit maxDepth)`, value);
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Array.prototype) return walkArray(value as readonly unknown[], depth + 1, limits, copy);
  if (prototype === Object.prototype || prototype === null) {
    return walkObject(value as { readonly [key: string]: unknown }, depth + 1, limits, copy);
  }
  throw new JsonFault(
    `${describeInstance(prototype)} is not a JSON value (only arrays and plain objects are; convert it, e.g. to a string)`,
  );
}

function walkArray(array: readonly unknown[], depth: number, limits: JsonLimits, copy: boolean): string {
  const n = array.length;
  const target: JsonValue[] | undefined = copy ? new Array<JsonValue>(n) : undefined;
  let text = "[";
  let i = 0;
  try {
    for (; i < n; i++) {
      const item = array[i];
      if (item === undefined && !(i in array)) {
        throw new JsonFault("a hole in a sparse array is not a JSON value (fill it, e.g. with null)");
      }
      if (i > 0) text += ",";
      text += walk(item, depth, limits, copy);
      if (text.length > limits.maxLength) throw tooLong(limits);
      if (target !== undefined) target[i] = copied;
    }
  } catch (error) {
    throw within(error, i, array);
  }
  if (target !== undefined) copied = Object.freeze(target);
  return text + "]";
}

function walkObject(object: { readonly [key: string]: unknown }, depth: number, limits: JsonLimits, copy: boolean): string {
  const keys = sortKeys(Object.keys(object));
  const symbols = Object.getOwnPropertySymbols(object);
  if (symbols.length > 0) {
    throw new JsonFault(`the symbol key ${String(symbols[0])} is not allowed in JSON (use a string key)`);
  }
  const target: { [key: string]: JsonValue } | undefined = copy ? {} : undefined;
  const n = keys.length;
  let text = "{";
  let key = "";
  try {
    for (let i = 0; i < n; i++) {
      key = keys[i]!;
      if (i > 0) text += ",";
      text += quote(key) + ":" + walk(object[key], depth, limits, copy);
      if (text.length > limits.maxLength) throw tooLong(limits);
      if (target !== undefined) {
        if (key === "__proto__") {
          Object.defineProperty(target, key, { value: copied, enumerable: true, writable: true, configurable: true });
        } else {
          target[key] = copied;
        }
      }
    }
  } catch (error) {
    throw within(error, key, object);
  }
  if (target !== undefined) copied = Object.freeze(target);
  return text + "}";
}

function tooLong(limits: JsonLimits): JsonFault {
  return new JsonFault(`makes the canonical JSON text longer than ${limits.maxLength} characters (limit maxLength)`);
}

function describeInstance(prototype: unknown): string {
  const constructor: unknown = Object.hasOwn(prototype as object, "constructor")
    ? (prototype as { constructor?: unknown }).constructor
    : undefined;
  const name = typeof constructor === "function" ? constructor.name : "";
  return name === "" ? "an object with a custom prototype" : `a ${name}`;
}

/** Adds the step from `container` through `segment` to a fault unwinding towards the root. */
function within(error: unknown, segment: string | number, container: object): unknown {
  if (error instanceof JsonFault) {
    error.segments.push(segment);
    error.containers.push(container);
  }
  return error;
}

/**
 * A validation failure on its way up: each enclosing level adds its segment and container (deepest
 * first), so the happy path pays nothing for paths and the error names the exact place.
 */
class JsonFault {
  readonly segments: (string | number)[] = [];
  readonly containers: object[] = [];

  /** `tooDeep` is the container that passed maxDepth, used to tell a cycle from honest deep nesting. */
  constructor(
    readonly problem: string,
    readonly tooDeep?: object,
  ) {}

  toError(rootPath: string): InvalidJsonError {
    const segments = this.segments.reverse();
    if (this.tooDeep !== undefined) {
      const chain = this.containers.reverse();
      chain.push(this.tooDeep);
      for (let j = 1; j < chain.length; j++) {
        const i = chain.indexOf(chain[j]!);
        if (i < j) {
          return new InvalidJsonError(
            formatPath(rootPath, segments, j),
            `a cycle: this is the same object as ${formatPath(rootPath, segments, i)} (JSON cannot represent cycles)`,
          );
        }
      }
    }
    return new InvalidJsonError(formatPath(rootPath, segments, segments.length), this.problem);
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function formatPath(rootPath: string, segments: readonly (string | number)[], count: number): string {
  let path = rootPath;
  for (let i = 0; i < count; i++) {
    const segment = segments[i]!;
    if (typeof segment === "number") path += `[${segment}]`;
    else path += IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  }
  return path;
}
