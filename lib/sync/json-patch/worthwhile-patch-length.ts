import type { JsonValue } from "../../descriptor/json-value.js";
import { jsonTextLength } from "./json-text-length.js";
import type { PatchOperation } from "./patch-operation.js";

/**
 * The length of `patch`'s JSON text when sending it beats sending the whole state (it is shorter than
 * `stateJsonLength`, the length of the state's JSON text: pass it when known, e.g. from the last
 * encoding, or `jsonTextLength(state)`), else undefined. Both are measured in the same units before
 * compression, which shrinks both alike. Stops measuring the patch once it is as long as the state, so a
 * useless patch costs no more than the state's length to reject; a useful one is measured once, for
 * the choice and for what the monitor shows as the object's last diff.
 */
export function worthwhilePatchLength(patch: readonly PatchOperation[], stateJsonLength: number): number | undefined {
  const length = jsonTextLength(patch as readonly JsonValue[], stateJsonLength);
  return length < stateJsonLength ? length : undefined;
}
