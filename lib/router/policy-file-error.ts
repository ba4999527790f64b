import { HakubanError } from "../errors/hakuban-error.js";

/**
 * The router's policy file (`--policy FILE`) cannot be read or does not validate when the router
 * starts; the message names the file and, for a bad policy, the place in it and what to fix.
 */
export class PolicyFileError extends HakubanError {
  readonly code = "POLICY_FILE";
}
