import { HakubanError } from "../errors/hakuban-error.js";

/** The router's command line is wrong; the message says what to fix (the CLI prints it with the usage). */
export class RouterOptionsError extends HakubanError {
  readonly code = "ROUTER_OPTIONS";
}
