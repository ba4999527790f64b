import { BindingError } from "./binding-error.js";

/**
 * Thrown when options given to a binding (limits, compression settings) are invalid, at construction
 * time, so a misconfiguration fails loudly instead of weakening a limit.
 */
export class BindingOptionsError extends BindingError {
  readonly code = "BINDING_OPTIONS";
}
