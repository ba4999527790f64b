import { deflateSync } from "fflate";
import { CodecError } from "../lib/choreography/errors.js";
import { BindingOptionsError } from "./binding-options-error.js";
import { inflateExact } from "./inflate.js";
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

/**
 * Inflates a compressed payload (see deflatePayload): refuses with a CodecError a declared size over
 * `maxBytes` before inflating anything, and then anything but a stream that inflates to exactly the
 * declared size (see inflateExact: no work past that size, memory grown only as output arrives).
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
  return inflateExact(compressed.subarray(cursor.pos), declared);
}
