import type { CompressionSettings } from "./compression.js";
import type { PayloadCodec } from "./payload-codec.js";
import { type EncodedPayload, encodePayload } from "./wire-payload.js";

interface CacheEntry {
  readonly codec: PayloadCodec;
  readonly compression: CompressionSettings;
  readonly payload: EncodedPayload;
}

/**
 * Remembers the wire bytes of payload objects by identity for the rest of the current tick, so fanning
 * one payload out to many links (which happens within one synchronous delivery) costs one encode and
 * one compress. Only frozen payloads are remembered: freezing is how a sender says "this object will not
 * change and may go to several links" (the sync layer freezes the states it fans out); everything else,
 * such as one-off control messages, is encoded afresh at no bookkeeping cost. A binary payload (a
 * Uint8Array, which cannot be frozen) is remembered by identity when it is long enough to be compressed
 * (shorter ones go out as they are, at no cost to repeat); its sender must not change its bytes. Forgetting at the end of
 * the tick keeps no object's bytes alive after its frames were written. One cache may be shared by any
 * number of muxes (an entry made with another codec or compression setting is replaced, never misused).
 */
export class EncodeCache {
  readonly #entries = new Map<object, CacheEntry>();
  #forgetting = false;
  readonly #forget = (): void => {
    this.#entries.clear();
    this.#forgetting = false;
  };

  /** @internal The wire form of `value` under `codec` and `compression`, encoded on first use in this tick. */
  encode(value: unknown, codec: PayloadCodec, compression: CompressionSettings): EncodedPayload {
    if (!remembered(value, compression)) return encodePayload(value, codec, compression);
    const entry = this.#entries.get(value);
    if (
      entry !== undefined &&
      (entry.codec === codec || entry.payload.binary) &&
      entry.compression.threshold === compression.threshold &&
      entry.compression.level === compression.level
    ) {
      return entry.payload;
    }
    const payload = encodePayload(value, codec, compression);
    this.#entries.set(value, { codec, compression, payload });
    if (!this.#forgetting) {
      this.#forgetting = true;
      queueMicrotask(this.#forget);
    }
    return payload;
  }
}

/** Whether `value`'s wire form is worth remembering: a frozen object, or bytes long enough to be compressed. */
function remembered(value: unknown, compression: CompressionSettings): value is object {
  if (value instanceof Uint8Array) return value.length >= compression.threshold;
  return typeof value === "object" && value !== null && Object.isFrozen(value);
}

/** The cache muxes share unless given their own, so encode-once works across links by default. */
export const sharedEncodeCache = new EncodeCache();
