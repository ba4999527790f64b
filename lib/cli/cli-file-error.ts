import { HakubanError } from "../errors/hakuban-error.js";

/** A file the `hakuban` command line names (`--token-file`) cannot be read or is empty; the message names the file and what to fix. */
export class CliFileError extends HakubanError {
  readonly code = "CLI_FILE";
}
