import { HakubanError } from "../hakuban-error.js";

/** A node has at most one parent. */
export class UpstreamAlreadyLinkedError extends HakubanError {
  constructor(node: string) {
    super(`node ${node} already has an upstream link; close it before linking the node to another parent`);
  }
}
