/**
 * A diff and patch on the encoded bytes of one format (a codec's optional pair; see Codec.diff): on bytes,
 * not values, so that a node in between (a router, a relay) applies and forwards them without the type.
 */
export interface BytesDiff {
  /** The diff that turns `base` into `next`; undefined (or a diff not smaller than `next`): `next` goes whole. */
  diff(base: Uint8Array, next: Uint8Array): Uint8Array | undefined;
  /** `base` with `diff` (made by `diff` from `base`) applied. */
  patch(base: Uint8Array, diff: Uint8Array): Uint8Array;
}

/** The most formats a node lists as ones it can patch in its link handshake (a peer listing more is refused). */
export const MAX_PATCHABLE_FORMATS = 64;

/**
 * The formats whose states one node can diff and patch, by format name (the outermost name of a state's
 * format stack), filled by the codecs of its contracts and its `codecs` option, read by its links: each
 * tells its peer which formats it can patch, and diffs a format only toward a peer that listed it. It only
 * grows (a format a node listed stays patchable for as long as the link lives), and the first pair given
 * for a format is kept: a format's name stands for one encoding and one diff form across the tree.
 */
export class FormatDiffs {
  private readonly pairs = new Map<string, BytesDiff>();

  /** Makes `format` diffable and patchable with `pair`, unless it already is. */
  add(format: string, pair: BytesDiff): void {
    if (!this.pairs.has(format)) this.pairs.set(format, pair);
  }

  /** The pair for `format`, if this node has one. */
  of(format: string): BytesDiff | undefined {
    return this.pairs.get(format);
  }

  /** The formats this node can patch, as its handshake lists them (at most MAX_PATCHABLE_FORMATS, the first given). */
  listed(): string[] {
    return [...this.pairs.keys()].slice(0, MAX_PATCHABLE_FORMATS);
  }
}
