import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import { HakubanError } from "../errors/hakuban-error.js";

/**
 * An observer's codec threw decoding a state's bytes (the `cause`). It is reported to the node's error
 * stream (`node.errors$`), once per state and contract; the observer gets that state with its raw bytes
 * as data, and the node goes on.
 */
export class CodecDecodeError extends HakubanError {
  readonly code = "CODEC_DECODE";

  /**
   * @param object the object whose state it was
   * @param format the codec's format
   * @param cause what `decode` threw
   */
  constructor(
    readonly object: ObjectDescriptor,
    readonly format: string,
    cause: unknown,
  ) {
    super(
      `Object ${object.toString()}: codec "${format}" could not decode a state (${cause instanceof Error ? cause.message : String(cause)}); ` +
        "observers get that state with its raw bytes as data (check that the exposer and the observer use the same codec)",
      { cause },
    );
  }
}
