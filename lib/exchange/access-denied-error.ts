import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { HakubanError } from "../errors/hakuban-error.js";

/**
 * A parent's policy (or the link's quota) denies this node's subtree an access to an object or a tag:
 * an observer then gets no states of it, an exposer is never elected for it. The message is the parent's
 * reason (it names the principal, the object or tag and the missing grant or the deny that matched).
 * Contracts get it on their `denial` surfaces, and the node on `errors$`; it is lifted when the parent
 * grants the access again.
 */
export class AccessDeniedError extends HakubanError {
  readonly code = "ACCESS_DENIED";

  constructor(
    /** The object (or tag) denied. */
    readonly subject: ObjectDescriptor | TagDescriptor,
    readonly access: "observe" | "expose",
    /** What the parent said. */
    readonly reason: string,
  ) {
    super(`the parent denied ${access} of ${subject.toString()}: ${reason}`);
  }
}
