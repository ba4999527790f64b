import type { JsonValue } from "../../descriptor/json-value.js";

/**
 * One RFC 6902 operation of the subset hakuban sends: `add`, `remove` and `replace`. `path` is a JSON
 * Pointer (RFC 6901); `move`, `copy` and `test` are never produced and are refused from the network.
 */
export type PatchOperation =
  | { readonly op: "add"; readonly path: string; readonly value: JsonValue }
  | { readonly op: "remove"; readonly path: string }
  | { readonly op: "replace"; readonly path: string; readonly value: JsonValue };
