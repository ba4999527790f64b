import type { JsonLimits } from "../descriptor/json-value.js";
import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import { HakubanError } from "../errors/hakuban-error.js";
import { overLimits } from "./json-patch/patch-limit-error.js";

/**
 * A peer sent an object state over the link's data limits, whole or as a patch whose result would be
 * (for a state of bytes, a format other than JSON: more bytes than the limit on length): the state is
 * refused (never held), and the link is closed with this error's message.
 */
export class StateLimitError extends HakubanError {
  readonly code = "STATE_LIMIT";

  /**
   * @param object the object whose state it was
   * @param length the state's JSON text length (for a patch: the length of its result; for bytes: their count)
   * @param depth how deep the state nests (for a patch: at most)
   * @param limits the link's data limits it breaks
   * @param patched whether it came as a patch
   * @param bytes whether it was bytes (a format other than JSON)
   */
  constructor(
    readonly object: ObjectDescriptor,
    readonly length: number,
    readonly depth: number,
    readonly limits: JsonLimits,
    readonly patched: boolean,
    readonly bytes = false,
  ) {
    const what = patched ? "a patch whose result would be" : "a state of";
    const over = bytes ? `${length} bytes, more than maxLength (${limits.maxLength})` : overLimits(length, depth, limits);
    super(
      `Object ${object.toString()}: the peer sent ${what} ${over}, over this link's data limits; ` +
        "the state is refused and the link closed (raise the link's dataLimits on this end if such states are legitimate)",
    );
  }
}
