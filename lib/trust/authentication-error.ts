import { HakubanError } from "../errors/hakuban-error.js";

/**
 * Why a link's credentials were not accepted: no token, a token that is not a well-formed JWT, a
 * signature that does not verify, an algorithm not accepted, a token outside its validity period, or
 * claims that cannot make a principal.
 */
export type AuthenticationFailure =
  | "missing-token"
  | "malformed-token"
  | "bad-signature"
  | "algorithm-not-allowed"
  | "expired"
  | "not-yet-valid"
  | "invalid-claims";

/**
 * An authenticator refused a link's credentials. The message is the refusal reason the child is told
 * (it says what to fix and never repeats the token); `failure` is the kind, for programs and audit logs.
 */
export class AuthenticationError extends HakubanError {
  readonly code = "AUTHENTICATION_FAILED";

  constructor(
    readonly failure: AuthenticationFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
