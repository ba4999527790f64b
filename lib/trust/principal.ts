import { canonicalCopyOf } from "../descriptor/canonical-json.js";
import { DEFAULT_DESCRIPTOR_LIMITS } from "../descriptor/descriptor-limits.js";
import { InvalidJsonError } from "../descriptor/invalid-json-error.js";
import type { JsonValue } from "../descriptor/json-value.js";
import { InvalidPrincipalError } from "./invalid-principal-error.js";

/**
 * Who is at the other end of a link, as its authenticator established: an `id` and claims (for a JWT,
 * every claim of the token, `sub` being `id`). Policies match principals by their claims and can use
 * claims inside selectors. A numeric `exp` claim (seconds since the epoch, as in JWT) says when the
 * principal expires: from then on its link holds no grants until it re-authenticates.
 */
export interface Principal {
  readonly id: string;
  readonly [claim: string]: JsonValue;
}

/**
 * Checks that `value` is a principal (a plain object with a non-empty string `id`, claims that are JSON
 * within the descriptor limits: 32 levels, 16 KiB) and returns a deep-frozen private copy, so what a
 * link holds cannot change under it. Throws InvalidPrincipalError saying what is wrong.
 */
export function principalOf(value: unknown): Principal {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidPrincipalError(`A principal must be an object with a string "id" and claims, got ${typeof value === "object" ? (value === null ? "null" : "an array") : typeof value}`);
  }
  const id = (value as { id?: unknown }).id;
  if (typeof id !== "string" || id === "") {
    throw new InvalidPrincipalError(`A principal needs a non-empty string "id" (for a JWT, its "sub" claim); got ${id === "" ? "an empty string" : typeof id}`);
  }
  try {
    return canonicalCopyOf(value, DEFAULT_DESCRIPTOR_LIMITS, "principal").value as Principal;
  } catch (error) {
    if (!(error instanceof InvalidJsonError)) throw error;
    throw new InvalidPrincipalError(`A principal's claims must be JSON: ${error.message}`, { cause: error });
  }
}

/**
 * When `principal` expires, in milliseconds since the epoch: its `exp` claim (seconds) × 1000, or
 * undefined when it has no numeric `exp` (it does not expire).
 */
export function principalExpiresAt(principal: Principal): number | undefined {
  const exp = principal["exp"];
  return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
}
