import { CarrierError } from "../carrier-error.js";

/**
 * A listener's TLS certificate or key cannot be used (not PEM, a key that does not match the
 * certificate); the message says which and what to pass instead.
 */
export class TlsOptionsError extends CarrierError {
  readonly code = "TLS_OPTIONS";
}
