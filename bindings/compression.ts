import { Inflate, deflateSync, inflateSync } from "fflate";
import { CodecError } from "../lib/choreography/errors.js";
import { BindingOptionsError } from "./binding-options-error.js";
import { readVarUint, varUintSize, writeVarUint } from "./varint.js";

/** A deflate level: 0 stores, 1 is fastest, 9 compresses best. */
export type DeflateLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/** How a sender compresses payloads; omitted fields take DEFAULT_COMPRESSION's values. */
export interface CompressionOptions {
  /** Payloads shorter than this many encoded bytes are sent as they are (compression does not pay). */
  readonly threshold?: number;
  readonly level?: DeflateLevel;
}

/** Resolved compression settings; `threshold: Infinity` means compression is off. */
export interface CompressionSettings {
  readonly threshold: number;
  readonly level: DeflateLevel;
}

/**
 * Defaults: compress payloads from 4 KiB on, at level 3 (on record-style JSON it shrinks about 8.8×
 * against level 6's 9.5×, at about twice the speed). Below 4 KiB a deflate is mostly fixed cost: fflate
 * takes about 30 µs and allocates about 170 KB of scratch tables per call (measured: 41 µs for 1 KB of
 * JSON, 73 µs for 4 KB), and a router syncing many small states made so much of that garbage that its
 * memory peaked at V8's external-memory limit (about 65 KB of RSS per connection in a 1,000-client
 * storm; 45 KB without compressing 1 KB states).
 */
export const DEFAULT_COMPRESSION: CompressionSettings = Object.freeze({ threshold: 4096, level: 3 });

/** Compression switched off: every payload is sent as encoded. */
export const NO_COMPRESSION: CompressionSettings = Object.freeze({ threshold: Infinity, level: 0 });

/**
 * Completes and validates user compression options; `false` switches compression off. Throws
 * BindingOptionsError for a negative or fractional threshold or an unknown level.
 */
export function resolveCompression(options: CompressionOptions | false | undefined): CompressionSettings {
  if (options === false) return NO_COMPRESSION;
  if (options === undefined) return DEFAULT_COMPRESSION;
  const threshold = options.threshold ?? DEFAULT_COMPRESSION.threshold;
  const level = options.level ?? DEFAULT_COMPRESSION.level;
  if (!(threshold === Infinity || (Number.isInteger(threshold) && threshold >= 0))) {
    throw new BindingOptionsError(
      `Compression threshold must be a whole number of bytes >= 0 (or Infinity to disable), got ${String(threshold)}.`,
    );
  }
  if (!(Number.isInteger(level) && level >= 0 && level <= 9)) {
    throw new BindingOptionsError(`Compression level must be an integer from 0 to 9, got ${String(level)}.`);
  }
  if (threshold === DEFAULT_COMPRESSION.threshold && level === DEFAULT_COMPRESSION.level) return DEFAULT_COMPRESSION;
  return Object.freeze({ threshold, level });
}

/**
 * Compresses `raw` when it is at least `settings.threshold` bytes long, into the compressed payload
 * form: a varint of `raw.length`, then the raw deflate stream. Returns it only when it is smaller
 * than `raw`, otherwise undefined (send `raw` as it is).
 */
export function deflatePayload(raw: Uint8Array, settings: CompressionSettings): Uint8Array | undefined {
  if (raw.length < settings.threshold) return undefined;
  const stream = deflateSync(raw, { level: settings.level });
  const prefix = varUintSize(raw.length);
  if (prefix + stream.length >= raw.length) return undefined;
  const out = new Uint8Array(prefix + stream.length);
  out.set(stream, writeVarUint(out, 0, raw.length));
  return out;
}

/** The most one deflate input byte can expand to (258-byte matches coded in under 2 bits). */
const MAX_DEFLATE_EXPANSION = 1032;
/** Smallest input step: bounds the overshoot past the limit to about 1 MiB while keeping steps few. */
const MIN_INPUT_STEP = 1024;
const MAX_INPUT_STEP = 256 * 1024;

/**
 * Inflates a compressed payload (see deflatePayload), refusing with a CodecError a declared size over
 * `maxBytes` (before inflating anything), a corrupt or truncated stream, and a long stream that
 * inflates to another size than declared (a short one is inflated into exactly the declared size,
 * cut or zero-padded if the peer lied, for the codec to judge). Memory and work stay bounded by `maxBytes`: a stream whose worst-case
 * expansion fits is inflated at once into a buffer of the declared size; a longer one is fed in steps
 * small enough that no step can produce more than half of what is left (or about 1 MiB near the end).
 */
export function inflatePayload(compressed: Uint8Array, maxBytes: number): Uint8Array {
  const cursor = { bytes: compressed, pos: 0 };
  const declared = readVarUint(cursor);
  if (declared > maxBytes) {
    throw new CodecError(
      `Compressed payload declares ${declared} inflated bytes, over maxInflatedBytes (${maxBytes}); ` +
        "raise limits.maxInflatedBytes on this side if such payloads are legitimate.",
    );
  }
  const stream = compressed.subarray(cursor.pos);
  try {
    if (stream.length * MAX_DEFLATE_EXPANSION <= maxBytes) {
      return inflateSync(stream, { out: new Uint8Array(declared) });
    }
    return inflateInSteps(stream, declared, maxBytes);
  } catch (error) {
    if (error instanceof CodecError) throw error;
    throw new CodecError(`Corrupt compressed payload (${compressed.length} bytes): ${describe(error)}.`, {
      cause: error,
    });
  }
}

/**
 * Streams `stream` through an inflater in steps sized by what is left of `maxBytes`, refusing output
 * beyond `size` as soon as a step produces it.
 */
function inflateInSteps(stream: Uint8Array, size: number, maxBytes: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (chunk.length > 0 && total <= size) chunks.push(chunk);
  });
  let pos = 0;
  while (pos < stream.length) {
    const allowance = Math.floor((maxBytes - total) / (2 * MAX_DEFLATE_EXPANSION));
    const end = Math.min(stream.length, pos + Math.min(MAX_INPUT_STEP, Math.max(MIN_INPUT_STEP, allowance)));
    inflater.push(stream.subarray(pos, end), end === stream.length);
    pos = end;
    if (total > size) {
      throw new CodecError(
        `Compressed payload inflates to more than its declared ${size} bytes; refused after ${pos} of ` +
          `${stream.length} compressed bytes.`,
      );
    }
  }
  if (total !== size) {
    throw new CodecError(`Compressed payload inflates to ${total} bytes, not the ${size} bytes it declares.`);
  }
  return concat(chunks, total);
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const chunk of chunks) {
    out.set(chunk, pos);
    pos += chunk.length;
  }
  return out;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
