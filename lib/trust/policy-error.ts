import { HakubanError } from "../errors/hakuban-error.js";

/**
 * A policy does not parse or validate. `path` names the offending place (`rules[2].observe[0].object`,
 * or `policy` for the whole), `problem` says what is wrong there and what to do. A policy that throws
 * this is never used in part: whoever was loading it keeps the policy it had.
 */
export class PolicyError extends HakubanError {
  readonly code = "INVALID_POLICY";

  /** Where in the policy the problem is, e.g. `rules[2].observe[0]`; `policy` for the policy as a whole. */
  readonly path: string;
  /** What is wrong there and what to do, without the path. */
  readonly problem: string;

  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`Invalid policy at ${path}: ${problem}`, options);
    this.path = path;
    this.problem = problem;
  }
}
