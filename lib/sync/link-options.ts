import type { TapRing } from "../choreography/index.js";

/** Settings shared by both ends of a hakuban link. */
export interface LinkOptions {
  /**
   * Records the link's sends, receives, route decisions and faults for debugging (read it with
   * `tap.entries()`). Off by default: a ring costs about 11 KB per connection.
   */
  readonly tap?: TapRing;
  /** How often the child pings (and how the parent judges silence). Default 5000 ms. */
  readonly keepAliveMs?: number;
  /** A peer silent for this long is dead and the link closes. Default 3 × keepAliveMs. */
  readonly deadAfterMs?: number;
  /** Where one line per link event goes (connection, refusal, fault). Default: nowhere. */
  readonly log?: (line: string) => void;
}
