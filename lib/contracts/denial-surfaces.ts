import type { Observable } from "rxjs";
import type { AccessDeniedError } from "../exchange/access-denied-error.js";

/**
 * How every contract learns that a parent's policy denies its access (no grant to observe or expose its
 * object or tag), so a denied contract is told instead of waiting in silence.
 */
export interface DenialSurfaces {
  /** The denial in force, or undefined while the access is granted (or no parent decides). */
  readonly denial: AccessDeniedError | undefined;
  /** Replays the current denial (undefined: none), then every change; completes on terminate. */
  readonly denial$: Observable<AccessDeniedError | undefined>;
  /** Calls `callback` when a denial starts (the error) or is lifted (undefined); returns the unsubscribe function. */
  onDenial(callback: (denial: AccessDeniedError | undefined) => void): () => void;
}
