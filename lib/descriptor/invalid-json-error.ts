import { HakubanError } from "../errors/hakuban-error.js";

/**
 * A value offered as JSON is not JSON (undefined, a function, NaN, a Date, a cycle, …) or breaks a size
 * or nesting limit. `path` names the offending place, e.g. `$.tags[1].user["first name"][3]`, so the
 * caller can find it in a large value.
 */
export class InvalidJsonError extends HakubanError {
  readonly code = "INVALID_JSON";

  /** Where in the value the problem is, in JSONPath-like form rooted at `$`. */
  readonly path: string;
  /** What is wrong there and what to do, without the path. */
  readonly problem: string;

  constructor(path: string, problem: string) {
    super(`Not JSON at ${path}: ${problem}`);
    this.path = path;
    this.problem = problem;
  }
}
