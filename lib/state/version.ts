import { InvalidVersionError } from "./invalid-version-error.js";

/** A version: integers compared lexicographically; a shorter prefix orders first ([1] < [1,0] < [2]). */
export type Version = readonly number[];

/** Most components a version may have; keeps versions small on the wire and in memory. */
export const MAX_VERSION_LENGTH = 16;

/** Orders versions: negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareVersions(a: Version, b: Version): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Whether `version` is the last one possible: 16 components, all Number.MAX_SAFE_INTEGER. No version
 * orders after it, so an object holding it could never take a new state: it is never a valid version.
 */
export function isLastVersion(version: Version): boolean {
  if (version.length !== MAX_VERSION_LENGTH) return false;
  for (const component of version) if (component !== Number.MAX_SAFE_INTEGER) return false;
  return true;
}

/**
 * Checks an untrusted value is a Version: an array of 1 to 16 safe integers, other than the last one
 * possible (see isLastVersion), which would leave its object no later version. Throws InvalidVersionError.
 */
export function assertVersion(value: unknown): asserts value is Version {
  if (!Array.isArray(value)) {
    throw new InvalidVersionError(`A version must be an array of integers, e.g. [1712345678901, 0], got ${typeof value}`);
  }
  if (value.length < 1 || value.length > MAX_VERSION_LENGTH) {
    throw new InvalidVersionError(
      `A version must have 1 to ${MAX_VERSION_LENGTH} components, got ${value.length}`,
    );
  }
  for (let i = 0; i < value.length; i++) {
    const component: unknown = value[i];
    if (!Number.isSafeInteger(component)) {
      throw new InvalidVersionError(
        `Version component ${i} must be a safe integer, got ${typeof component === "number" ? component : typeof component}`,
      );
    }
  }
  if (isLastVersion(value as Version)) {
    throw new InvalidVersionError(
      `A version must leave room for a later one; ${MAX_VERSION_LENGTH} components all Number.MAX_SAFE_INTEGER is the last possible version`,
    );
  }
}

/**
 * The default version for a new state: orders after `latest` (the newest version known for the object)
 * even when the clock went backwards. [nowMs, 0] when nowMs > latest[0] (or no latest), else
 * [latest[0], (latest[1] ?? -1) + 1] (so [5e12, 3, 7] → [5e12, 4], [5e12] → [5e12, 0], always
 * strictly greater than latest). Should latest[1] be Number.MAX_SAFE_INTEGER, the first later component
 * that can still grow is incremented instead, or a 0 appended; `nowMs` is rounded down to an integer.
 * The result is always a valid version (never the last one); InvalidVersionError when no valid version
 * orders after `latest` (only for [MAX_SAFE_INTEGER × 15, MAX_SAFE_INTEGER − 1], whose one successor is
 * the last version) or the clock reading is unusable.
 */
export function nextVersion(latest: Version | undefined, nowMs: number): Version {
  const now = Math.floor(nowMs);
  if (!Number.isSafeInteger(now)) {
    throw new InvalidVersionError(`nextVersion needs a clock reading in milliseconds, got ${nowMs}`);
  }
  if (latest === undefined || latest.length === 0 || now > latest[0]!) return [now, 0];
  const second = latest[1];
  if (second !== undefined && second < Number.MAX_SAFE_INTEGER) return [latest[0]!, second + 1]; // the usual case
  for (let i = 1; i < latest.length; i++) {
    const component = latest[i]!;
    if (component < Number.MAX_SAFE_INTEGER) {
      const next = latest.slice(0, i + 1);
      next[i] = component + 1;
      if (!isLastVersion(next)) return next;
    }
  }
  if (latest.length < MAX_VERSION_LENGTH) return [...latest, 0];
  const first = latest[0]!;
  if (first < Number.MAX_SAFE_INTEGER) return [first + 1, 0];
  throw new InvalidVersionError(
    `No version orders after ${JSON.stringify(latest)}, so the object cannot take a new state: its latest version is ` +
      "at the very end of the range; it can start again from small versions once no node holds it any more",
  );
}
