import { HakubanError } from "../../errors/hakuban-error.js";

/**
 * A patch does not fit the state it was applied to (a missing key, an index out of range, a path that
 * runs through a number, …): it was made against another version. The state is left as it was; get the
 * full state, or a patch made against the version you hold.
 */
export class PatchApplyError extends HakubanError {
  readonly code = "PATCH_APPLY";

  /** Position of the failing operation in the patch. */
  readonly opIndex: number;
  /** The failing operation's JSON Pointer. */
  readonly path: string;
  /** What does not fit, without the operation's position. */
  readonly problem: string;

  constructor(opIndex: number, op: string, path: string, problem: string) {
    super(
      `Cannot apply patch operation ${opIndex} (${op} at ${JSON.stringify(path)}): ${problem}; ` +
        "the patch was made for a different state, so request the full state or a patch against the version held",
    );
    this.opIndex = opIndex;
    this.path = path;
    this.problem = problem;
  }
}
