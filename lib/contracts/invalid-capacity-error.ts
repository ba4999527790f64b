import { HakubanError } from "../errors/hakuban-error.js";

/** A capacity was not a positive finite number. */
export class InvalidCapacityError extends HakubanError {
  readonly code = "INVALID_CAPACITY";

  constructor(capacity: unknown) {
    super(`capacity must be a positive finite number (a relative load-balancing weight), got ${String(capacity)}`);
  }
}
