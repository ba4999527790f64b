import type { JsonValue } from "../../descriptor/json-value.js";
import { jsonTextLength } from "./json-text-length.js";
import type { PatchOperation } from "./patch-operation.js";

/**
 * Whether sending `patch` beats sending the whole state: true when the patch's JSON text is shorter
 * than `stateJsonLength`, the length of the state's JSON text (pass it when known, e.g. from the last
 * encoding, or `jsonTextLength(state)`). Both are measured in the same units before compression, which
 * shrinks both alike. Stops measuring the patch once it is as long as the state, so a useless patch
 * costs no more than the state's length to reject.
 */
export function patchIsWorthIt(patch: readonly PatchOperation[], stateJsonLength: number): boolean {
  return jsonTextLength(patch as readonly JsonValue[], stateJsonLength) < stateJsonLength;
}
