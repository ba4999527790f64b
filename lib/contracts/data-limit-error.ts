import { HakubanError } from "../errors/hakuban-error.js";

/**
 * Bytes given to `set()` (a Uint8Array, or what a codec encoded) are longer than the node's data limit
 * (`dataLimits.maxLength`, which bounds JSON text the same way). `set()` throws it and keeps the previous value.
 */
export class DataLimitError extends HakubanError {
  readonly code = "DATA_LIMIT";

  /**
   * @param length the bytes' length
   * @param maxLength the node's limit
   */
  constructor(
    readonly length: number,
    readonly maxLength: number,
  ) {
    super(`${length} bytes of data are over the node's data limit of ${maxLength} (make the data smaller, or raise the node's dataLimits.maxLength)`);
  }
}
