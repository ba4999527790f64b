import { type BytesDiff, FormatDiffs } from "../state/format-diffs.js";

/**
 * What one link end knows of diffs of formats other than JSON, from the handshake: each side lists the
 * formats it can patch (Hello, Welcome). A state of such a format goes to the peer as a diff only if this
 * node can diff its format and the peer listed it; a diff from the peer is taken only for a format this
 * side listed (any other is a violation that ends the link). Formats are named by the outermost name of a
 * state's format stack.
 */
export class LinkFormats {
  private readonly peer: ReadonlySet<string>;
  private readonly own: ReadonlySet<string>;

  /**
   * @param node the node's diff pairs
   * @param listed the formats this side listed in its handshake
   * @param peerListed the formats the peer listed in its
   */
  constructor(
    private readonly node: FormatDiffs,
    listed: readonly string[],
    peerListed: readonly string[],
  ) {
    this.own = new Set(listed);
    this.peer = new Set(peerListed);
  }

  /** The pair that diffs `format` toward the peer, if the peer can patch it and this node can diff it. */
  toward(format: string): BytesDiff | undefined {
    return this.peer.has(format) ? this.node.of(format) : undefined;
  }

  /** The pair that patches a diff of `format` from the peer, if this side listed the format. */
  from(format: string): BytesDiff | undefined {
    return this.own.has(format) ? this.node.of(format) : undefined;
  }
}

/** A link end before its handshake, or where neither side listed a format: no format but JSON is diffed either way. */
export const NO_LINK_FORMATS: LinkFormats = new LinkFormats(new FormatDiffs(), [], []);

/**
 * What a link end knows after its handshake (see LinkFormats). Links where neither side listed a format
 * share NO_LINK_FORMATS, so a router's many links to nodes without codecs cost nothing more.
 */
export function linkFormats(node: FormatDiffs, listed: readonly string[], peerListed: readonly string[]): LinkFormats {
  return listed.length === 0 && peerListed.length === 0 ? NO_LINK_FORMATS : new LinkFormats(node, listed, peerListed);
}
