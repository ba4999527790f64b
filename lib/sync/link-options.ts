import type { TapRing } from "../choreography/index.js";
import type { JsonLimits } from "../descriptor/json-value.js";
import { resolveDataLimits } from "../state/frozen-data.js";

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
  /**
   * Bounds on every object state the peer sends over this link, whole or as the result of a patch: a
   * state over them is refused and the link closed, naming the object, the size and the limit. Default
   * DEFAULT_DATA_LIMITS (64 levels, 64 MiB of JSON). The binding's limits (`mux.limits`) bound each message.
   */
  readonly dataLimits?: Partial<JsonLimits>;
  /** Where one line per link event goes (connection, refusal, fault). Default: nowhere. */
  readonly log?: (line: string) => void;
}

/** The data limits of a link with `options`, defaults applied; throws InvalidLimitsError for a bad one. */
export function linkDataLimits(options: LinkOptions): JsonLimits {
  return resolveDataLimits(options.dataLimits);
}
