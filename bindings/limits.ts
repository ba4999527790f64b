import { BindingOptionsError } from "./binding-options-error.js";
import { MAX_FRAME_HEADER_BYTES } from "./frame-header.js";
import { MAX_VARUINT } from "./varint.js";

/**
 * What one side of a connection accepts from the other. A frame that exceeds a limit closes the
 * connection with a CodecError naming the limit; a sender refuses to send what its own limits forbid,
 * so configure both sides alike.
 */
export interface BindingLimits {
  /** Most payload bytes in one frame as they travel (after compression). */
  readonly maxFrameBytes: number;
  /** Most payload bytes a compressed frame may inflate to; enforced while inflating (no inflate bombs). */
  readonly maxInflatedBytes: number;
  /** Most bytes in one carrier message (a batch of frames); must hold one largest frame with its header. */
  readonly maxMessageBytes: number;
  /**
   * Deepest nesting of arrays and objects the JSON codec accepts in one payload, checked on the bytes
   * before anything is parsed (JSON.parse would build all of a deep payload before any check could run).
   */
  readonly maxJsonDepth: number;
}

/**
 * Defaults: 16 MiB per frame on the wire, 64 MiB inflated, messages that fit one largest frame, and
 * JSON nested 80 deep: a node's default data limit (64) plus room for the message around the data (a
 * state's patch puts its values 3 levels down). A node that raises its data depth raises this too.
 */
export const DEFAULT_BINDING_LIMITS: BindingLimits = Object.freeze({
  maxFrameBytes: 16 * 1024 * 1024,
  maxInflatedBytes: 64 * 1024 * 1024,
  maxMessageBytes: 16 * 1024 * 1024 + MAX_FRAME_HEADER_BYTES,
  maxJsonDepth: 80,
});

/**
 * Completes user-supplied limits with defaults and validates them (positive integers a frame header
 * can express; messages big enough for one largest frame). `maxMessageBytes`, when omitted, follows
 * `maxFrameBytes`. Throws BindingOptionsError.
 */
export function resolveBindingLimits(limits: Partial<BindingLimits> = {}): BindingLimits {
  const maxFrameBytes = checked("maxFrameBytes", limits.maxFrameBytes ?? DEFAULT_BINDING_LIMITS.maxFrameBytes);
  const maxInflatedBytes = checked(
    "maxInflatedBytes",
    limits.maxInflatedBytes ?? DEFAULT_BINDING_LIMITS.maxInflatedBytes,
  );
  const maxMessageBytes = checked("maxMessageBytes", limits.maxMessageBytes ?? maxFrameBytes + MAX_FRAME_HEADER_BYTES);
  const maxJsonDepth = checked("maxJsonDepth", limits.maxJsonDepth ?? DEFAULT_BINDING_LIMITS.maxJsonDepth, "levels");
  if (maxMessageBytes < maxFrameBytes + MAX_FRAME_HEADER_BYTES) {
    throw new BindingOptionsError(
      `Binding limit maxMessageBytes (${maxMessageBytes}) cannot hold one largest frame: it must be at least ` +
        `maxFrameBytes + ${MAX_FRAME_HEADER_BYTES} = ${maxFrameBytes + MAX_FRAME_HEADER_BYTES}. Raise it or lower maxFrameBytes.`,
    );
  }
  return Object.freeze({ maxFrameBytes, maxInflatedBytes, maxMessageBytes, maxJsonDepth });
}

function checked(name: keyof BindingLimits, value: unknown, unit = "bytes"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_VARUINT) {
    throw new BindingOptionsError(
      `Binding limit ${name} must be an integer between 1 and ${MAX_VARUINT} ${unit}, got ${String(value)}.`,
    );
  }
  return value;
}
