import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { HakubanError } from "../errors/hakuban-error.js";

/** A tag-expose contract was given an object that does not carry its tag. */
export class TagMismatchError extends HakubanError {
  readonly code = "TAG_MISMATCH";

  constructor(object: ObjectDescriptor, tag: TagDescriptor) {
    super(
      `object ${object} does not carry tag ${tag}; a tag exposer can only set objects with its tag ` +
        `(add the tag to the descriptor, or use node.object(...).expose() for this object)`,
    );
  }
}
