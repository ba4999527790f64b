import { HakubanError } from "../errors/hakuban-error.js";

/**
 * The parent refused this node's link: another protocol version (upgrade both nodes to the same hakuban
 * version), or credentials it does not accept (a missing, forged or expired token; a refresh naming
 * another principal). `reason` is what the parent said.
 */
export class LinkRefusedError extends HakubanError {
  readonly code = "LINK_REFUSED";

  constructor(readonly reason: string) {
    super(`the parent node refused the link: ${reason}`);
  }
}
