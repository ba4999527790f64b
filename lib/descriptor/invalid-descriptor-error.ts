import { HakubanError } from "../errors/hakuban-error.js";

/**
 * A descriptor has the wrong shape (tags not an array, too many tags, unexpected fields on the wire,
 * canonical key too long). Problems inside the JSON values themselves are `InvalidJsonError`s.
 */
export class InvalidDescriptorError extends HakubanError {
  readonly code = "INVALID_DESCRIPTOR";
}
