import { DEFAULT_DATA_LIMITS } from "../../state/frozen-data.js";

/** Bounds on a patch received from elsewhere, so hostile or broken peers cannot make a node do unbounded work. */
export interface PatchLimits {
  /** How many operations a patch may have. */
  readonly maxOps: number;
  /** How many segments a path may have, and how many levels of arrays/objects a value may nest. */
  readonly maxDepth: number;
  /** How many characters the canonical JSON text of each operation's value may have. */
  readonly maxLength: number;
}

/** 10,000 operations; depth and length as for object data. */
export const DEFAULT_PATCH_LIMITS: PatchLimits = Object.freeze({ maxOps: 10_000, ...DEFAULT_DATA_LIMITS });
