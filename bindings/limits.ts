import { BindingOptionsError } from "./binding-options-error.js";
import { MAX_FRAME_HEADER_BYTES } from "./frame-header.js";
import { MAX_VARUINT } from "./varint.js";

/**
 * What one side of a connection accepts from the other. Exceeding a limit ends the frame's session or
 * the connection with a CodecError; a sender refuses to send what its own limits forbid, so configure
 * both sides alike.
 */
export interface BindingLimits {
  /** Most payload bytes in one frame as they travel (after compression). */
  readonly maxFrameBytes: number;
  /** Most payload bytes a compressed frame may inflate to; enforced while inflating (no inflate bombs). */
  readonly maxInflatedBytes: number;
  /** Most bytes in one carrier message (a batch of frames); must hold one largest frame with its header. */
  readonly maxMessageBytes: number;
}

/** Defaults: 16 MiB per frame on the wire, 64 MiB inflated, and messages that fit one largest frame. */
export const DEFAULT_BINDING_LIMITS: BindingLimits = Object.freeze({
  maxFrameBytes: 16 * 1024 * 1024,
  maxInflatedBytes: 64 * 1024 * 1024,
  maxMessageBytes: 16 * 1024 * 1024 + MAX_FRAME_HEADER_BYTES,
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
  if (maxMessageBytes < maxFrameBytes + MAX_FRAME_HEADER_BYTES) {
    throw new BindingOptionsError(
      `Binding limit maxMessageBytes (${maxMessageBytes}) cannot hold one largest frame: it must be at least ` +
        `maxFrameBytes + ${MAX_FRAME_HEADER_BYTES} = ${maxFrameBytes + MAX_FRAME_HEADER_BYTES}. Raise it or lower maxFrameBytes.`,
    );
  }
  return Object.freeze({ maxFrameBytes, maxInflatedBytes, maxMessageBytes });
}

function checked(name: keyof BindingLimits, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_VARUINT) {
    throw new BindingOptionsError(
      `Binding limit ${name} must be an integer between 1 and ${MAX_VARUINT} bytes, got ${String(value)}.`,
    );
  }
  return value;
}
