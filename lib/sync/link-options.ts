/** Settings shared by both ends of a hakuban link. */
export interface LinkOptions {
  /** How often the child pings (and how the parent judges silence). Default 5000 ms. */
  readonly keepAliveMs?: number;
  /** A peer silent for this long is dead and the link closes. Default 3 × keepAliveMs. */
  readonly deadAfterMs?: number;
  /** Where one line per link event goes (connection, refusal, fault). Default: nowhere. */
  readonly log?: (line: string) => void;
}
