import { HakubanError } from "../../errors/hakuban-error.js";

/**
 * A patch received from elsewhere is malformed or too large: not an array of `add`/`remove`/`replace`
 * operations with valid JSON Pointers and JSON values within the limits. The sender is faulty or
 * hostile; drop the patch (and the link), or raise the limits if the sender is trusted and legitimately
 * sends more.
 */
export class InvalidPatchError extends HakubanError {
  readonly code = "INVALID_PATCH";

  /** Position of the offending operation, or -1 when the patch as a whole is wrong. */
  readonly opIndex: number;
  /** What is wrong, without the position. */
  readonly problem: string;

  constructor(opIndex: number, problem: string, options?: { cause?: unknown }) {
    super(opIndex < 0 ? `Invalid patch: ${problem}` : `Invalid patch: operation ${opIndex} ${problem}`, options);
    this.opIndex = opIndex;
    this.problem = problem;
  }
}
