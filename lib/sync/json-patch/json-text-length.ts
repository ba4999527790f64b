import { jsonStringLength } from "../../descriptor/json-string.js";
import type { JsonValue } from "../../descriptor/json-value.js";

/**
 * How many characters `JSON.stringify(value)` has, counted without building the text. Counting stops
 * soon after the length passes `stopAbove`, returning some length above it, so asking "is it longer than
 * N?" costs at most about N characters' worth of walking.
 */
export function jsonTextLength(value: JsonValue, stopAbove = Infinity): number {
  return measure(value, 0, stopAbove);
}

/** `length` characters are counted before `value`; returns the count after it (or once past `stopAbove`). */
function measure(value: JsonValue, length: number, stopAbove: number): number {
  switch (typeof value) {
    case "string":
      return length + jsonStringLength(value);
    case "number":
      return length + ("" + value).length;
    case "boolean":
      return length + (value ? 4 : 5);
  }
  if (value === null) return length + 4;
  if (Array.isArray(value)) {
    const n = value.length;
    length += n === 0 ? 2 : n + 1;
    for (let i = 0; i < n && length <= stopAbove; i++) length = measure(value[i] as JsonValue, length, stopAbove);
    return length;
  }
  const object = value as { readonly [key: string]: JsonValue };
  const keys = Object.keys(object);
  const n = keys.length;
  length += n === 0 ? 2 : 2 * n + 1;
  for (let i = 0; i < n && length <= stopAbove; i++) {
    const key = keys[i]!;
    length = measure(object[key]!, length + jsonStringLength(key), stopAbove);
  }
  return length;
}
