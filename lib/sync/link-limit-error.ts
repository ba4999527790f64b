import { HakubanError } from "../errors/hakuban-error.js";
import type { LinkLimits } from "./link-limits.js";

/**
 * A child went over one of its link's limits (see LinkLimits) in a way that closes the link: too many
 * opens per second, too many bytes queued toward it, or congested for too long. The message names the
 * limit and its value; raise the limit (`listen`'s `linkLimits`) if an honest child hits it.
 */
export class LinkLimitError extends HakubanError {
  readonly code = "LINK_LIMIT";

  constructor(
    /** Which limit. */
    readonly limit: keyof LinkLimits,
    /** Its value on this link. */
    readonly value: number,
    /** What the child did, e.g. "opened 1,201 objects or tags in 1.2 s". */
    what: string,
  ) {
    super(`${what}, over ${limit} (${value}); the link is closed (raise linkLimits.${limit} if this child is honest)`);
  }
}
