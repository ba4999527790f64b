/** The monitor's refresh interval when none is given, in milliseconds. */
export const DEFAULT_MONITOR_INTERVAL_MS = 1000;

/** Throws a RangeError naming `option` unless `intervalMs` is a finite number of milliseconds above 0. */
export function assertMonitorInterval(intervalMs: number, option: string): void {
  if (typeof intervalMs !== "number" || !Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new RangeError(`${option} must be a finite number of milliseconds above 0 (got ${String(intervalMs)}); leave it out for ${DEFAULT_MONITOR_INTERVAL_MS}`);
  }
}
