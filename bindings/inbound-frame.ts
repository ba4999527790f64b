import { CodecError } from "../lib/choreography/errors.js";
import type { InboundPayload } from "../lib/choreography/wire.js";
import type { BindingLimits } from "./limits.js";
import type { PayloadCodec } from "./payload-codec.js";
import { decodePayload } from "./wire-payload.js";

const EMPTY = new Uint8Array(0);

/**
 * The payload of one received data frame as the session mux hands it over: its bytes, decoded only
 * when the consumer asks (a frame for no live session costs no inflating or parsing). A mux reuses one
 * for every frame it hands over at once, and makes one per frame it must hold. A payload that cannot be
 * decoded throws a CodecError naming the frame's session and the limit or fault. A binary frame (the
 * sender sent a Uint8Array) decodes to a Uint8Array of its own, a copy (or the inflated output) that
 * stays valid after the call, so a consumer may keep it.
 */
export class InboundFrame implements InboundPayload {
  #session = 0;
  #bytes: Uint8Array = EMPTY;
  #compressed = false;
  #binary = false;

  constructor(
    private readonly codec: PayloadCodec,
    private readonly limits: BindingLimits,
  ) {}

  /** Points this frame at the payload `bytes` of a frame of `session` (deflated, binary or both); returns it. */
  of(session: number, bytes: Uint8Array, compressed: boolean, binary: boolean): this {
    this.#session = session;
    this.#bytes = bytes;
    this.#compressed = compressed;
    this.#binary = binary;
    return this;
  }

  /**
   * Lets go of the payload: the frame no longer keeps the message it was a view into (an idle
   * connection would otherwise hold its last message for as long as it lives).
   */
  release(): void {
    this.#bytes = EMPTY;
  }

  decode(): unknown {
    try {
      return decodePayload(this.#bytes, this.#compressed, this.#binary, this.codec, this.limits);
    } catch (error) {
      throw new CodecError(`Frame on session ${this.#session}: ${(error as Error).message}`, { cause: error });
    }
  }
}
