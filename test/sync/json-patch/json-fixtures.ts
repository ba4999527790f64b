/** Shared arbitraries and helpers for the json-patch tests: realistic edited pairs, freezing, copying. */
import fc from "fast-check";
import type { JsonValue } from "../../../lib/descriptor/json-value.js";

type Path = (string | number)[];
type Container = JsonValue[] | { [key: string]: JsonValue };

/** One small change a program makes to its state. */
export interface Edit {
  readonly kind: "set" | "delete" | "insert";
  /** Picks the container to change among all containers of the value. */
  readonly at: number;
  /** Picks the index or existing key inside it. */
  readonly pick: number;
  /** The key for a new object member. */
  readonly key: string;
  readonly value: JsonValue;
}

/** Keys that need escaping in pointers, look like array indices or name inherited members. */
const POINTER_KEYS = ["a", "", "a/b", "~", "~0", "~1", "/~/", "constructor", "toString", "0", "-"];

/**
 * Keys that need escaping in pointers or are inherited member names, mixed with arbitrary ones; without
 * `__proto__`, which other JSON Patch libraries refuse in paths.
 */
export const pointerKey = fc.oneof(fc.constantFrom(...POINTER_KEYS), fc.string({ maxLength: 6 }));

/** Keys that need escaping in pointers or are dangerous as property names (`__proto__` too), mixed with arbitrary ones. */
export const trickyKey = fc.oneof(fc.constantFrom(...POINTER_KEYS, "__proto__"), fc.string({ maxLength: 6 }));

/** One edit whose new object members are named by `key`. */
export function editWith(key: fc.Arbitrary<string>): fc.Arbitrary<Edit> {
  return fc.record({
    kind: fc.constantFrom("set", "delete", "insert"),
    at: fc.nat(),
    pick: fc.nat(),
    key,
    value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>,
  });
}

export const edit: fc.Arbitrary<Edit> = editWith(trickyKey);

/** A JSON value whose object keys are drawn from `key`, as programs keep them. */
export function jsonValueWith(key: fc.Arbitrary<string>): fc.Arbitrary<JsonValue> {
  return fc.letrec<{ value: JsonValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<JsonValue>,
      fc.array(tie("value"), { maxLength: 6 }),
      fc.dictionary(key, tie("value"), { maxKeys: 6 }),
    ),
  })).value;
}

/** A JSON value with tricky keys. */
export const jsonValue: fc.Arbitrary<JsonValue> = jsonValueWith(trickyKey);

/** `value` after `edits`, made the way immutable programs make it: copies along the path, the rest shared. */
export function edited(value: JsonValue, edits: readonly Edit[]): JsonValue {
  return edits.reduce(applyEdit, value);
}

/** A value drawn from `value` and a version of it after one to four `edits`: the realistic input of a diff. */
export function editedPairOf(value: fc.Arbitrary<JsonValue>, edits: fc.Arbitrary<Edit>): fc.Arbitrary<[JsonValue, JsonValue]> {
  return fc.tuple(value, fc.array(edits, { minLength: 1, maxLength: 4 })).map(([base, changes]) => [base, edited(base, changes)]);
}

/** A value with tricky keys and an edited version of it. */
export const editedPair: fc.Arbitrary<[JsonValue, JsonValue]> = editedPairOf(jsonValue, edit);

function applyEdit(root: JsonValue, e: Edit): JsonValue {
  const containers: { path: Path; container: Container }[] = [];
  collect(root, [], containers);
  if (containers.length === 0) return e.value;
  const { path, container } = containers[e.at % containers.length]!;
  return rebuild(root, path, 0, () => {
    if (Array.isArray(container)) {
      const copy = container.slice();
      if (e.kind === "insert" || copy.length === 0) copy.splice(e.pick % (copy.length + 1), 0, e.value);
      else if (e.kind === "delete") copy.splice(e.pick % copy.length, 1);
      else copy[e.pick % copy.length] = e.value;
      return copy;
    }
    const copy = { ...container };
    const keys = Object.keys(copy);
    const existing = keys.length > 0 ? keys[e.pick % keys.length]! : undefined;
    if (e.kind === "delete" && existing !== undefined) delete copy[existing];
    else setOwn(copy, e.kind === "set" && existing !== undefined && e.pick % 2 === 0 ? existing : e.key, e.value);
    return copy;
  });
}

function collect(value: JsonValue, path: Path, out: { path: Path; container: Container }[]): void {
  if (typeof value !== "object" || value === null) return;
  out.push({ path, container: value as Container });
  if (Array.isArray(value)) value.forEach((item: JsonValue, i) => collect(item, [...path, i], out));
  else for (const [key, item] of Object.entries(value)) collect(item, [...path, key], out);
}

function rebuild(value: JsonValue, path: Path, depth: number, change: () => Container): JsonValue {
  if (depth === path.length) return change();
  const segment = path[depth]!;
  if (Array.isArray(value)) {
    const copy = value.slice();
    copy[segment as number] = rebuild(value[segment as number]!, path, depth + 1, change);
    return copy;
  }
  const object = value as { readonly [key: string]: JsonValue };
  const copy = { ...object };
  setOwn(copy, segment as string, rebuild(object[segment as string]!, path, depth + 1, change));
  return copy;
}

/** Sets an own property, also `__proto__`. */
export function setOwn(object: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Freezes `value` and everything in it, so any write to it throws (tests run in strict mode). */
export function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/** A deep copy sharing nothing with `value` (own `__proto__` keys stay data). */
export function deepCopy(value: JsonValue): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/** Every array and object in `value`, by identity. */
export function containersIn(value: JsonValue, into = new Set<object>()): Set<object> {
  if (typeof value === "object" && value !== null) {
    into.add(value);
    for (const item of Object.values(value)) containersIn(item, into);
  }
  return into;
}

/**
 * A realistic state of about `bytes` characters of JSON: records with repeated keys, as a list of
 * users or items is. Each record is a fresh object.
 */
export function recordsState(bytes: number): { records: { [key: string]: JsonValue }[]; meta: JsonValue } {
  const records: { [key: string]: JsonValue }[] = [];
  const state = { meta: { version: 1, title: "inventory", owner: "warehouse-7" }, records };
  let length = JSON.stringify(state).length;
  for (let i = 0; length < bytes; i++) {
    const record = {
      id: `item-${i.toString().padStart(5, "0")}`,
      name: `Widget number ${i}`,
      price: Math.round(((i * 7919) % 10000) * 1.37) / 100,
      inStock: i % 3 !== 0,
      tags: ["hardware", i % 2 === 0 ? "even" : "odd"],
      dimensions: { w: i % 50, h: (i * 3) % 40, d: (i * 7) % 30 },
    };
    records.push(record);
    length += JSON.stringify(record).length + 1;
  }
  return state;
}

/** `value` as JSON text means it: `-0` becomes `0`, which JSON cannot tell apart, so diffs ignore it too. */
export function asJson(value: JsonValue): JsonValue {
  return deepCopy(value);
}
