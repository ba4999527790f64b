import type { JsonValue } from "../../descriptor/json-value.js";
import { jsonEqual } from "../../descriptor/json-equal.js";
import { escapePointerSegment } from "./json-pointer.js";
import type { PatchOperation } from "./patch-operation.js";

type JsonObject = { readonly [key: string]: JsonValue };

/**
 * An RFC 6902 patch (only `add`, `remove`, `replace`) that turns `from` into `to`, for sending a change
 * instead of the whole state. Compares by JSON meaning; subtrees shared by reference (the usual result
 * of an immutable update) are skipped without being walked. One changed field costs one operation;
 * arrays keep their common head and tail, so one inserted or removed element costs one operation too.
 * Operation values are `to`'s own subtrees, not copies: treat patch and states as immutable.
 */
export function diffJson(from: JsonValue, to: JsonValue): PatchOperation[] {
  const patch: PatchOperation[] = [];
  diffValue(from, to, patch, []);
  return patch;
}

/** `at` is the path from the root to `from`/`to`, kept as raw keys so unchanged levels build no text. */
function diffValue(from: JsonValue, to: JsonValue, patch: PatchOperation[], at: (string | number)[]): void {
  if (from === to) return;
  if (typeof from === "object" && typeof to === "object" && from !== null && to !== null) {
    const fromIsArray = Array.isArray(from);
    if (fromIsArray === Array.isArray(to)) {
      if (fromIsArray) diffArray(from as readonly JsonValue[], to as readonly JsonValue[], patch, at);
      else diffObject(from as JsonObject, to as JsonObject, patch, at);
      return;
    }
  }
  patch.push({ op: "replace", path: pointerOf(at), value: to });
}

function diffObject(from: JsonObject, to: JsonObject, patch: PatchOperation[], at: (string | number)[]): void {
  const fromKeys = Object.keys(from);
  let kept = 0;
  for (const key of fromKeys) {
    at.push(key);
    if (Object.hasOwn(to, key)) {
      kept++;
      diffValue(from[key]!, to[key]!, patch, at);
    } else {
      patch.push({ op: "remove", path: pointerOf(at) });
    }
    at.pop();
  }
  const toKeys = Object.keys(to);
  if (kept === toKeys.length) return;
  for (const key of toKeys) {
    if (Object.hasOwn(from, key)) continue;
    at.push(key);
    patch.push({ op: "add", path: pointerOf(at), value: to[key]! });
    at.pop();
  }
}

/**
 * Trims the longest common head, then the longest common tail of what is left, diffs the middles
 * element by element, and removes or adds what one middle has beyond the other.
 */
function diffArray(from: readonly JsonValue[], to: readonly JsonValue[], patch: PatchOperation[], at: (string | number)[]): void {
  let start = 0;
  let fromEnd = from.length;
  let toEnd = to.length;
  while (start < fromEnd && start < toEnd && jsonEqual(from[start]!, to[start]!)) start++;
  while (fromEnd > start && toEnd > start && jsonEqual(from[fromEnd - 1]!, to[toEnd - 1]!)) {
    fromEnd--;
    toEnd--;
  }
  const fromCount = fromEnd - start;
  const toCount = toEnd - start;
  const paired = fromCount < toCount ? fromCount : toCount;
  for (let i = start; i < start + paired; i++) {
    at.push(i);
    diffValue(from[i]!, to[i]!, patch, at);
    at.pop();
  }
  for (let i = start + fromCount - 1; i >= start + paired; i--) {
    at.push(i);
    patch.push({ op: "remove", path: pointerOf(at) });
    at.pop();
  }
  for (let i = start + paired; i < start + toCount; i++) {
    at.push(i);
    patch.push({ op: "add", path: pointerOf(at), value: to[i]! });
    at.pop();
  }
}

function pointerOf(at: readonly (string | number)[]): string {
  let path = "";
  for (const segment of at) path += "/" + (typeof segment === "number" ? segment : escapePointerSegment(segment));
  return path;
}
