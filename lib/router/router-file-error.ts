import { HakubanError } from "../errors/hakuban-error.js";

/**
 * A file the router's options name cannot be read or used when it starts (`--tls-cert`, `--tls-key`,
 * `--jwt-secret-file`, `--token-file`, `--ca-file`); the message names the option, the file and what to fix.
 */
export class RouterFileError extends HakubanError {
  readonly code = "ROUTER_FILE";
}
