/**
 * A codec for tests of diffs of formats other than JSON: strings as UTF-8, whose diff is the length of
 * the prefix `next` shares with `base` (4 bytes) and the rest of `next`. It counts its diffs and patches,
 * so a test can tell which node diffed and which patched.
 */
import type { Codec } from "../../lib/index.js";

/** The prefix codec, with how many diffs it made and patches it applied so far. */
export interface PrefixCodec extends Required<Codec<string>> {
  diffs: number;
  patches: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fresh prefix codec (counts at 0) for the format named `format`. */
export function prefixCodec(format = "text"): PrefixCodec {
  const codec: PrefixCodec = {
    format,
    diffs: 0,
    patches: 0,
    encode: (value) => encoder.encode(value),
    decode: (bytes) => decoder.decode(bytes),
    diff(base, next) {
      codec.diffs++;
      let prefix = 0;
      while (prefix < base.length && prefix < next.length && base[prefix] === next[prefix]) prefix++;
      const diff = new Uint8Array(4 + next.length - prefix);
      new DataView(diff.buffer).setUint32(0, prefix);
      diff.set(next.subarray(prefix), 4);
      return diff;
    },
    patch(base, diff) {
      codec.patches++;
      if (diff.length < 4) throw new Error("a diff of fewer than 4 bytes");
      const prefix = new DataView(diff.buffer, diff.byteOffset, diff.byteLength).getUint32(0);
      if (prefix > base.length) throw new Error(`a prefix of ${prefix} bytes, beyond the base's ${base.length}`);
      const patched = new Uint8Array(prefix + diff.length - 4);
      patched.set(base.subarray(0, prefix));
      patched.set(diff.subarray(4), prefix);
      return patched;
    },
  };
  return codec;
}
