/**
 * Clock and percentiles for latency figures. The sender stamps an update with `wallClockMs()` and the
 * receiver, in another process on the same machine, subtracts it from its own `wallClockMs()`.
 */

/** Milliseconds since the epoch with sub-millisecond resolution, comparable between processes of one machine. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The `q`-quantile (0 ≤ q ≤ 1, nearest rank) of `samples`; NaN when there are none. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The median of `values` (the figure to trust from a few rounds on a noisy machine). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}
