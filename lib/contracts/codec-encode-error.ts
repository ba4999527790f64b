import { HakubanError } from "../errors/hakuban-error.js";

/**
 * An exposer's codec failed to encode a value given to `set()`: its `encode` threw (the `cause`), or
 * returned something that is not a Uint8Array. `set()` throws it and keeps the previous value.
 */
export class CodecEncodeError extends HakubanError {
  readonly code = "CODEC_ENCODE";

  /**
   * @param format the codec's format
   * @param problem what went wrong
   * @param cause what `encode` threw, if it threw
   */
  constructor(
    readonly format: string,
    readonly problem: string,
    cause?: unknown,
  ) {
    super(
      `Codec "${format}" could not encode the value given to set(): ${problem}; the value is refused and the previous one kept ` +
        "(fix the codec's encode, or the value)",
      cause === undefined ? undefined : { cause },
    );
  }
}
