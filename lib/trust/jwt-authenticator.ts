import { errors, jwtVerify } from "jose";
import { AuthenticationError } from "./authentication-error.js";
import type { Authenticate, AuthRequest } from "./auth-request.js";
import { InvalidPrincipalError } from "./invalid-principal-error.js";
import { isoTime } from "./iso-time.js";
import { JwtOptionsError } from "./jwt-options-error.js";
import { type Principal, principalOf } from "./principal.js";

/** A JWT algorithm that verifies with a shared secret. */
export type JwtHmacAlgorithm = "HS256" | "HS384" | "HS512";

/** The JWT algorithms that verify with a shared secret, and the least secret each needs (bytes, RFC 7518 §3.2). */
const HMAC_SECRET_BYTES: Readonly<Record<JwtHmacAlgorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 };

/** How `jwtAuthenticator` verifies tokens. */
export interface JwtAuthenticatorOptions {
  /** The shared secret tokens are signed with: its UTF-8 bytes for a string. At least as long as the algorithm's hash (32 bytes for HS256). */
  readonly secret: string | Uint8Array;
  /**
   * Seconds of clock difference tolerated when checking `exp` and `nbf` at authentication (default 0).
   * A link's grants still end at `exp` itself (see grantsFor).
   */
  readonly clockToleranceSec?: number;
  /** The algorithms accepted (default `["HS256"]`); a token signed otherwise, `none` included, is refused. */
  readonly algorithms?: readonly JwtHmacAlgorithm[];
}

/**
 * Makes an `authenticate` function for `listen` that accepts a link whose token is a JWT signed with
 * `secret` by one of `algorithms`, within its `nbf`…`exp` period, with a string `sub`. The principal is
 * the token's claims with `id` set to `sub`; its `exp` claim is when the link's grants end. Anything
 * else (no token, not a JWT, a bad signature, another algorithm, expired, not yet valid, no `sub`)
 * rejects with an AuthenticationError whose message tells the child what to fix. Verification uses
 * jose and WebCrypto, so it runs in Node and browsers alike. Throws JwtOptionsError for unusable options.
 */
export function jwtAuthenticator(options: JwtAuthenticatorOptions): Authenticate {
  const algorithms = [...(options.algorithms ?? ["HS256"])];
  if (algorithms.length === 0) throw new JwtOptionsError(`jwtAuthenticator needs at least one algorithm; leave "algorithms" out for ["HS256"]`);
  for (const algorithm of algorithms) {
    if (!Object.hasOwn(HMAC_SECRET_BYTES, algorithm)) {
      throw new JwtOptionsError(`jwtAuthenticator verifies with a shared secret, so its algorithms are ${Object.keys(HMAC_SECRET_BYTES).join(", ")}; got ${JSON.stringify(algorithm)}`);
    }
  }
  const secret = typeof options.secret === "string" ? new TextEncoder().encode(options.secret) : options.secret.slice();
  const needed = Math.max(...algorithms.map((algorithm) => HMAC_SECRET_BYTES[algorithm]));
  if (secret.length < needed) {
    throw new JwtOptionsError(
      `The JWT secret has ${secret.length} bytes; ${algorithms.join(", ")} need at least ${needed} (RFC 7518 §3.2); use a longer random secret, e.g. 32 random bytes in hex or base64`,
    );
  }
  const clockTolerance = options.clockToleranceSec ?? 0;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0) {
    throw new JwtOptionsError(`clockToleranceSec must be a number of seconds from 0 up; got ${String(options.clockToleranceSec)}`);
  }
  return async (request: AuthRequest): Promise<Principal> => {
    const token = request.token;
    if (token === undefined || token === "") {
      throw new AuthenticationError("missing-token", "No token: this listener accepts only links with a JWT; pass one with connect(node, url, { token })");
    }
    let payload: Record<string, unknown>;
    try {
      payload = (await jwtVerify(token, secret, { algorithms, clockTolerance })).payload;
    } catch (error) {
      throw refusalOf(error, algorithms);
    }
    const sub = payload["sub"];
    if (typeof sub !== "string" || sub === "") {
      throw new AuthenticationError("invalid-claims", `The token has no "sub" claim; it names the principal, so issue the token with a non-empty string "sub"`);
    }
    try {
      return principalOf({ ...payload, id: sub });
    } catch (error) {
      if (!(error instanceof InvalidPrincipalError)) throw error;
      throw new AuthenticationError("invalid-claims", `The token's claims cannot make a principal: ${error.message}`, { cause: error });
    }
  };
}

/** The AuthenticationError telling the child why jose did not accept its token. */
function refusalOf(error: unknown, algorithms: readonly string[]): unknown {
  if (error instanceof errors.JWTExpired) {
    return new AuthenticationError("expired", `The token expired${expiry(error.payload["exp"])}; get a fresh token and reconnect (or refresh the link)`, { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === "nbf") {
    return new AuthenticationError("not-yet-valid", `The token is not valid yet${expiry(error.payload["nbf"], "until")}; check the clocks of the issuer and this listener`, { cause: error });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new AuthenticationError("algorithm-not-allowed", `The token's algorithm is not accepted; sign it with ${algorithms.join(" or ")}`, { cause: error });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthenticationError("bad-signature", "The token's signature does not verify; it was signed with another secret (or altered)", { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new AuthenticationError("invalid-claims", `The token's "${error.claim}" claim is not valid (${error.reason}); issue a token with a proper one`, { cause: error });
  }
  if (error instanceof errors.JOSENotSupported) {
    return new AuthenticationError("malformed-token", `The token needs what this listener does not support (${error.message}); issue it without that`, { cause: error });
  }
  if (error instanceof errors.JOSEError) {
    return new AuthenticationError("malformed-token", "The token is not a well-formed signed JWT (header.payload.signature, base64url); pass the token as issued", { cause: error });
  }
  return error;
}

/** ` at 2030-01-01T00:00:00.000Z` for a numeric date claim, else nothing. */
function expiry(seconds: unknown, word = "at"): string {
  return typeof seconds === "number" && Number.isFinite(seconds) ? ` ${word} ${isoTime(seconds * 1000)}` : "";
}
