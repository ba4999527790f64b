import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import { HakubanError } from "../errors/hakuban-error.js";

/**
 * A peer sent a diff of a format other than JSON that this node's codec could not apply: its `patch`
 * threw, or returned something other than a Uint8Array. The state is refused (never held) and the link
 * that brought it is closed with this error's message; the node and its other links go on.
 */
export class BytesPatchError extends HakubanError {
  readonly code = "BYTES_PATCH";

  /**
   * @param object the object whose state it was
   * @param format the format's name (its codec's)
   * @param fault what the codec's patch did
   */
  constructor(
    readonly object: ObjectDescriptor,
    readonly format: string,
    readonly fault: string,
  ) {
    super(
      `Object ${object.toString()}: the peer sent a diff of the format ${JSON.stringify(format)} that this node's codec could not patch ` +
        `(${fault}); the state is refused and the link closed (both ends must use the same codec, with the same diff form, for that format)`,
    );
  }
}
