import { HakubanError } from "../errors/hakuban-error.js";

/**
 * What an authenticator returned is not a principal: not a plain object, no non-empty string `id`, or
 * claims that are not JSON within the descriptor limits. The authenticator is at fault, not the peer.
 */
export class InvalidPrincipalError extends HakubanError {
  readonly code = "INVALID_PRINCIPAL";
}
