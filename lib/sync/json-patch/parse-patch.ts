import { InvalidJsonError } from "../../descriptor/invalid-json-error.js";
import { assertJsonValue, DEFAULT_JSON_LIMITS, type JsonLimits, type JsonValue } from "../../descriptor/json-value.js";
import { resolveLimits } from "../../descriptor/resolve-limits.js";
import { InvalidPatchError } from "./invalid-patch-error.js";
import { pointerDepth } from "./json-pointer.js";
import { DEFAULT_PATCH_LIMITS, type PatchLimits } from "./patch-limits.js";
import type { PatchOperation } from "./patch-operation.js";

const DEFAULT_VALUE_LIMITS: JsonLimits = valueLimits(DEFAULT_PATCH_LIMITS);

/**
 * Checks that `untrusted` (e.g. from JSON.parse of network input) is a patch hakuban accepts and returns
 * it as fresh operation objects holding only `op`, `path` and (for add/replace) `value`; other members
 * are ignored, as RFC 6902 asks. Accepted: an array of at most `maxOps` plain objects, each with `op`
 * one of add/remove/replace, `path` a JSON Pointer of at most `maxDepth` segments, and for add/replace a
 * `value` that is JSON within `maxDepth` and `maxLength`. Keys such as `__proto__` stay plain data.
 * Throws InvalidPatchError naming the offending operation otherwise.
 */
export function parsePatch(untrusted: unknown, limits?: Partial<PatchLimits>): PatchOperation[] {
  const resolved = resolveLimits(DEFAULT_PATCH_LIMITS, limits);
  return parseWithin(untrusted, resolved, resolved === DEFAULT_PATCH_LIMITS ? DEFAULT_VALUE_LIMITS : valueLimits(resolved));
}

/** parsePatch with `limits` resolved once, for a place that parses many patches (a link's schema). */
export function patchParser(limits: Partial<PatchLimits>): (untrusted: unknown) => PatchOperation[] {
  const resolved = resolveLimits(DEFAULT_PATCH_LIMITS, limits);
  const forValues = valueLimits(resolved);
  return (untrusted) => parseWithin(untrusted, resolved, forValues);
}

function parseWithin(untrusted: unknown, limits: PatchLimits, forValues: JsonLimits): PatchOperation[] {
  if (!Array.isArray(untrusted)) throw new InvalidPatchError(-1, `must be an array of operations, got ${describe(untrusted)}`);
  const n = untrusted.length;
  if (n > limits.maxOps) {
    throw new InvalidPatchError(-1, `has ${n} operations, more than ${limits.maxOps} (limit maxOps; send the full state instead)`);
  }
  const patch: PatchOperation[] = new Array<PatchOperation>(n);
  for (let i = 0; i < n; i++) patch[i] = parseOperation(untrusted[i] as unknown, i, limits, forValues);
  return patch;
}

function parseOperation(untrusted: unknown, index: number, limits: PatchLimits, forValues: JsonLimits): PatchOperation {
  if (typeof untrusted !== "object" || untrusted === null || Array.isArray(untrusted)) {
    throw new InvalidPatchError(index, `must be an object like {"op":"add","path":"/a","value":1}, got ${describe(untrusted)}`);
  }
  const prototype = Object.getPrototypeOf(untrusted) as object | null;
  if (prototype !== Object.prototype && prototype !== null) throw new InvalidPatchError(index, "must be a plain object");
  const fields = untrusted as { readonly [key: string]: unknown };
  const op = Object.hasOwn(fields, "op") ? fields["op"] : undefined;
  if (op !== "add" && op !== "remove" && op !== "replace") {
    throw new InvalidPatchError(index, `has op ${describe(op)}; only "add", "remove" and "replace" are accepted`);
  }
  const path = Object.hasOwn(fields, "path") ? fields["path"] : undefined;
  if (typeof path !== "string") throw new InvalidPatchError(index, `needs a string "path", got ${describe(path)}`);
  const depth = pointerDepth(path);
  if (depth < 0) {
    throw new InvalidPatchError(
      index,
      `has path ${JSON.stringify(path)}, which is not a JSON Pointer (empty or starting with "/", "~" only as ~0 or ~1)`,
    );
  }
  if (depth > limits.maxDepth) {
    throw new InvalidPatchError(index, `has a path of ${depth} segments, more than ${limits.maxDepth} (limit maxDepth)`);
  }
  if (op === "remove") return { op, path };
  if (!Object.hasOwn(fields, "value")) throw new InvalidPatchError(index, `(${op}) needs a "value"`);
  const value = fields["value"];
  try {
    assertJsonValue(value, forValues, "value");
  } catch (error) {
    if (error instanceof InvalidJsonError) throw new InvalidPatchError(index, `(${op}) has a bad value: ${error.message}`, { cause: error });
    throw error;
  }
  return { op, path, value: value as JsonValue };
}

function valueLimits(limits: PatchLimits): JsonLimits {
  return resolveLimits(DEFAULT_JSON_LIMITS, { maxDepth: limits.maxDepth, maxLength: limits.maxLength });
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
