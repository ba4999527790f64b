import { HakubanError } from "../errors/hakuban-error.js";

/** The `hakuban` command line is wrong; the message says what to fix (the CLI prints it with the usage). */
export class CliOptionsError extends HakubanError {
  readonly code = "CLI_OPTIONS";
}
