import { jsonNumberLength, jsonStringLength } from "../../descriptor/json-string.js";
import { freezeMeasuredJsonValue, measureJsonValue, type JsonLimits, type JsonSize, type JsonValue } from "../../descriptor/json-value.js";
import { freezeDeep } from "../../state/frozen-data.js";
import { escapePointerSegment, pointerSegments } from "./json-pointer.js";
import { PatchApplyError } from "./patch-apply-error.js";
import { PatchLimitError } from "./patch-limit-error.js";
import type { PatchOperation } from "./patch-operation.js";

type Container = JsonValue[] | { [key: string]: JsonValue };

/**
 * The size of the document a patch is making, kept up operation by operation: the exact JSON length,
 * and a bound on the depth (an operation can only deepen it; removals are not credited).
 */
interface Tally {
  length: number;
  depth: number;
}

/** A document and its size (for a patched one: its exact JSON length, and a bound on its depth). */
export interface SizedJson {
  readonly data: JsonValue;
  readonly size: JsonSize;
}

/**
 * The state `patch` turns `base` into, with RFC 6902 semantics for `add`, `remove` and `replace`.
 * `base` is never written to (it may be shared and frozen): only the containers along the changed
 * paths are copied, once per patch, and every untouched subtree of the result is the very object of
 * `base`; values come from the patch as they are. Each operation costs its path's depth times the
 * width of the containers on it, whatever the document's size. Throws PatchApplyError, naming the
 * operation, when the patch does not fit `base`.
 */
export function applyPatch(base: JsonValue, patch: readonly PatchOperation[]): JsonValue {
  return apply(base, patch, undefined, undefined);
}

/**
 * applyPatch within `limits`, for a `base` of `baseSize` (what measureData says, or what an earlier
 * patch's result said): returns the result with its size, or throws PatchLimitError, keeping nothing,
 * when it would be over them. The result's JSON length is known exactly without walking it: each
 * operation adds its value's length and takes off that of the value it replaces or removes (each measured
 * once, cheaply where freezeData remembered it). Its depth is bounded by `baseSize`'s and by the depth at
 * which each operation puts its value (removals are not credited), so it is never under the result's and
 * over the limit only if a document along the way was. Applying takes no more memory than the copies of
 * the containers the operations change: the values are the patch's own.
 */
export function applyPatchWithin(base: JsonValue, baseSize: JsonSize, patch: readonly PatchOperation[], limits: JsonLimits): SizedJson {
  const tally: Tally = { length: baseSize.length, depth: baseSize.depth };
  return { data: apply(base, patch, tally, limits), size: tally };
}

/** Applies `patch`; with a `tally`, keeps it up and refuses a result over `limits` before freezing anything. */
function apply(base: JsonValue, patch: readonly PatchOperation[], tally: Tally | undefined, limits: JsonLimits | undefined): JsonValue {
  let root = base;
  const copies = new Set<Container>();
  for (let i = 0; i < patch.length; i++) root = applyOperation(root, patch[i]!, i, copies, tally);
  if (tally !== undefined && (tally.length > limits!.maxLength || tally.depth > limits!.maxDepth)) {
    throw new PatchLimitError(tally.length, tally.depth, limits!);
  }
  // Immutable in, immutable out: what this patch made is frozen like the base it shares the rest with.
  for (const copy of copies) Object.freeze(copy);
  for (const operation of patch) if (operation.op !== "remove") freezeDeep(operation.value);
  return root;
}

/**
 * `copies` are the containers this patch already copied: later operations may change them in place.
 * `tally`, when given, is updated with the operation's effect on the document's size.
 */
function applyOperation(root: JsonValue, operation: PatchOperation, index: number, copies: Set<Container>, tally: Tally | undefined): JsonValue {
  const op = operation.op;
  const path = operation.path;
  if (op !== "add" && op !== "remove" && op !== "replace") {
    throw failure(index, operation, "only add, remove and replace operations are supported");
  }
  const segments = typeof path === "string" ? pointerSegments(path) : undefined;
  if (segments === undefined) throw failure(index, operation, 'the path is not a JSON Pointer (empty or starting with "/", "~" only as ~0 or ~1)');
  const last = segments.length - 1;
  if (last < 0) {
    if (op === "remove") throw failure(index, operation, "the whole document cannot be removed (replace it instead)");
    if (tally !== undefined) {
      const size = freezeMeasuredJsonValue(operation.value);
      tally.length = size.length;
      tally.depth = size.depth;
    }
    return operation.value;
  }
  const newRoot = ownCopy(root, copies) ?? notContainer(index, operation, root, segments, -1);
  let parent = newRoot;
  for (let depth = 0; depth < last; depth++) {
    const segment = segments[depth]!;
    if (Array.isArray(parent)) {
      const i = arrayIndex(segment, parent.length - 1);
      if (i < 0) throw failure(index, operation, `${placeOf(segments, depth)} does not exist (array indices here are 0…${parent.length - 1})`);
      const child = parent[i]!;
      const copy = ownCopy(child, copies) ?? notContainer(index, operation, child, segments, depth);
      if (copy !== child) parent[i] = copy;
      parent = copy;
    } else {
      if (!Object.hasOwn(parent, segment)) throw failure(index, operation, `${placeOf(segments, depth)} does not exist`);
      const child = parent[segment]!;
      const copy = ownCopy(child, copies) ?? notContainer(index, operation, child, segments, depth);
      if (copy !== child) setKey(parent, segment, copy);
      parent = copy;
    }
  }
  const key = segments[last]!;
  if (Array.isArray(parent)) {
    const length = parent.length;
    if (op === "add") {
      const i = key === "-" ? length : arrayIndex(key, length);
      if (i < 0) throw failure(index, operation, `cannot insert at index ${JSON.stringify(key)} of an array of ${length} (use 0…${length} or "-")`);
      if (tally !== undefined) tallyOperation(tally, operation, segments.length, length === 0 ? 0 : 1); // a comma
      if (i === length) parent.push(operation.value);
      else parent.splice(i, 0, operation.value);
    } else {
      const i = arrayIndex(key, length - 1);
      if (i < 0) throw failure(index, operation, `index ${JSON.stringify(key)} does not exist in an array of ${length}`);
      if (tally !== undefined) tallyOperation(tally, operation, segments.length, -lengthOf(parent[i]!) - (op === "remove" && length > 1 ? 1 : 0));
      if (op === "remove") parent.splice(i, 1);
      else parent[i] = operation.value;
    }
  } else if (op === "add") {
    if (tally !== undefined) tallyOperation(tally, operation, segments.length, memberChange(parent, key, op));
    setKey(parent, key, operation.value);
  } else {
    if (!Object.hasOwn(parent, key)) throw failure(index, operation, `key ${JSON.stringify(key)} does not exist`);
    if (tally !== undefined) tallyOperation(tally, operation, segments.length, memberChange(parent, key, op));
    if (op === "remove") delete parent[key];
    else setKey(parent, key, operation.value);
  }
  return newRoot;
}

/**
 * Adds to `tally` what `operation`, at a path of `segments` segments, does to the document: `change`
 * (what goes or comes around its value: commas, a key, a replaced or removed value) and its own value.
 */
function tallyOperation(tally: Tally, operation: PatchOperation, segments: number, change: number): void {
  if (operation.op !== "remove") {
    const value = operation.value;
    if (typeof value === "object" && value !== null) {
      // Frozen as it is measured: the freezing after the patch then stops at once (later operations
      // never write into a patch's values, they copy them).
      const size = freezeMeasuredJsonValue(value);
      change += size.length;
      if (segments + size.depth > tally.depth) tally.depth = segments + size.depth;
    } else {
      change += lengthOf(value); // a primitive goes into a container the document has: no deeper
    }
  }
  tally.length += change;
}

/** The JSON length of `value` (primitives, the usual operation values, without measuring them as documents). */
function lengthOf(value: JsonValue): number {
  switch (typeof value) {
    case "number":
      return jsonNumberLength(value);
    case "string":
      return jsonStringLength(value);
    case "boolean":
      return value ? 4 : 5;
    default:
      return value === null ? 4 : measureJsonValue(value).length;
  }
}

/**
 * What `op` at the member `key` of `object` does to its JSON length, besides the value it puts there:
 * an existing value replaced (also by `add`) or removed takes off its length; a member added or removed
 * brings or takes its key, a colon and, unless it is (or was) alone, a comma.
 */
function memberChange(object: { readonly [key: string]: JsonValue }, key: string, op: PatchOperation["op"]): number {
  if (!Object.hasOwn(object, key)) return memberLength(object, key);
  const old = lengthOf(object[key]!);
  return op === "remove" ? -old - memberLength(object, key) : -old;
}

/** The characters member `key` of `object` takes besides its value: the key, a colon, and a comma unless alone. */
function memberLength(object: { readonly [key: string]: JsonValue }, key: string): number {
  return jsonStringLength(key) + 1 + (hasOtherKey(object, key) ? 1 : 0);
}

/** Whether `object` has an own key other than `key`. */
function hasOtherKey(object: { readonly [key: string]: JsonValue }, key: string): boolean {
  for (const other in object) if (other !== key && Object.hasOwn(object, other)) return true;
  return false;
}

/**
 * `value` itself if this patch already copied it, else a shallow copy (kept in `copies`), or undefined
 * when `value` is not a container a path can go into.
 */
function ownCopy(value: JsonValue, copies: Set<Container>): Container | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if (copies.has(value as Container)) return value as Container;
  let copy: Container;
  // Spread, not slice(): held states are frozen, and V8's slice() of a frozen array takes a slow path
  // (measured: 25 µs against 0.5 µs for 730 rows), which was most of an observer's work per update.
  if (Array.isArray(value)) copy = [...(value as readonly JsonValue[])];
  else if (Object.getPrototypeOf(value) === null) copy = Object.assign(Object.create(null) as { [key: string]: JsonValue }, value);
  else copy = { ...(value as { readonly [key: string]: JsonValue }) };
  copies.add(copy);
  return copy;
}

/** The error for operation `index` of a patch that does not fit its base. */
function failure(index: number, operation: PatchOperation, problem: string): PatchApplyError {
  return new PatchApplyError(index, String(operation.op), String(operation.path), problem);
}

/** Throws the error for a path that runs into the primitive `value` found after segment `depth`. */
function notContainer(index: number, operation: PatchOperation, value: JsonValue, segments: readonly string[], depth: number): never {
  const what = value === null ? "null" : `a ${typeof value}`;
  throw failure(index, operation, `${placeOf(segments, depth)} is ${what}, not an object or array, so the path cannot go into it`);
}

/** Names the place the first `depth + 1` segments lead to, for messages. */
function placeOf(segments: readonly string[], depth: number): string {
  if (depth < 0) return "the document";
  let pointer = "";
  for (let i = 0; i <= depth; i++) pointer += "/" + escapePointerSegment(segments[i]!);
  return `the value at ${JSON.stringify(pointer)}`;
}

/** Sets an own data property, also for the key `__proto__`, which plain assignment would treat as the prototype. */
function setKey(object: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  if (key === "__proto__") Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/** The array index `segment` names (RFC 6901: `0` or digits without a leading zero) if at most `max`, else -1. */
function arrayIndex(segment: string, max: number): number {
  const n = segment.length;
  if (n === 0 || n > 15 || (n > 1 && segment.charCodeAt(0) === 48)) return -1;
  for (let i = 0; i < n; i++) {
    const c = segment.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  const index = Number(segment);
  return index <= max ? index : -1;
}
