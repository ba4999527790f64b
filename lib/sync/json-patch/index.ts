/** Diffs between JSON states as RFC 6902 patches (add/remove/replace), their validation and their immutable application. */
export type { PatchOperation } from "./patch-operation.js";
export type { PatchLimits } from "./patch-limits.js";
export { DEFAULT_PATCH_LIMITS } from "./patch-limits.js";
export { diffJson } from "./diff-json.js";
export { applyPatch, applyPatchWithin, type SizedJson } from "./apply-patch.js";
export { parsePatch, patchParser } from "./parse-patch.js";
export { worthwhilePatchLength } from "./worthwhile-patch-length.js";
export { jsonTextLength } from "./json-text-length.js";
export { jsonEqual } from "../../descriptor/json-equal.js";
export { escapePointerSegment, pointerDepth, pointerSegments } from "./json-pointer.js";
export { PatchApplyError } from "./patch-apply-error.js";
export { InvalidPatchError } from "./invalid-patch-error.js";
export { PatchLimitError } from "./patch-limit-error.js";
