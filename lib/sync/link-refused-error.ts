import { HakubanError } from "../hakuban-error.js";

/** The parent refused this node's link (another protocol version, another program); retrying will not help. */
export class LinkRefusedError extends HakubanError {
  constructor(readonly reason: string) {
    super(`the parent node refused the link: ${reason}; upgrade both nodes to the same hakuban version`);
  }
}
