/** Largest distance from the epoch a Date can hold, in milliseconds. */
const MAX_DATE_MS = 8.64e15;

/**
 * `ms` (milliseconds since the epoch) as an ISO 8601 time for messages, or as a plain count when no
 * Date can hold it (claims are untrusted numbers, and `toISOString` throws on those).
 */
export function isoTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : `${ms} ms since the epoch`;
}
