import { HakubanError } from "../errors/hakuban-error.js";

/**
 * `jwtAuthenticator`'s options cannot verify tokens safely: no algorithm, an algorithm that does not
 * verify with a shared secret, or a secret shorter than the algorithm's hash (RFC 7518 §3.2).
 */
export class JwtOptionsError extends HakubanError {
  readonly code = "JWT_OPTIONS";
}
