import { HakubanError } from "../errors/hakuban-error.js";

/** A value offered as a version is not one: 1 to 16 safe integers in an array. */
export class InvalidVersionError extends HakubanError {
  readonly code = "INVALID_VERSION";
}
