import { HakubanError } from "../errors/hakuban-error.js";

/** A node has at most one parent. */
export class UpstreamAlreadyLinkedError extends HakubanError {
  readonly code = "UPSTREAM_ALREADY_LINKED";

  constructor(node: string) {
    super(`node ${node} already has an upstream link; close it before linking the node to another parent`);
  }
}
