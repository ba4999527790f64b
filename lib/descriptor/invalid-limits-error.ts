import { HakubanError } from "../errors/hakuban-error.js";

/** User-supplied limits (JSON or descriptor limits) are not usable numbers. */
export class InvalidLimitsError extends HakubanError {
  readonly code = "INVALID_LIMITS";
}
