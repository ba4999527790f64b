import { HakubanError } from "../errors/hakuban-error.js";

/** The parent refused this node's link (another protocol version, another program); retrying will not help. */
export class LinkRefusedError extends HakubanError {
  readonly code = "LINK_REFUSED";

  constructor(readonly reason: string) {
    super(`the parent node refused the link: ${reason}; upgrade both nodes to the same hakuban version`);
  }
}
