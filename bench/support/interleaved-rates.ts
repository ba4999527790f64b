/**
 * Throughput of an operation against a baseline on a noisy machine: rounds of each alternate, so drift
 * hits both alike, and each keeps its best round.
 */

/** What one round takes. */
export interface RateOptions {
  /** Length of one round, in milliseconds. */
  readonly roundMs: number;
  /** Rounds of each side after a warm-up round of each. */
  readonly rounds: number;
}

/** Megabytes per second of `operation` on `bytes`-byte inputs over one round of `roundMs`. */
function rate(bytes: number, operation: () => number, roundMs: number, sink: { value: number }): number {
  const start = performance.now();
  let count = 0;
  let elapsed = 0;
  do {
    sink.value += operation();
    count++;
    elapsed = performance.now() - start;
  } while (elapsed < roundMs);
  return (count * bytes) / (elapsed * 1000);
}

/**
 * Best rates, in MB/s of `bytes`-byte inputs, of `value` and of `baseline`, measured in interleaved
 * rounds after a warm-up. Both return a number the caller's result depends on, so no call is optimized away.
 */
export function bestRates(bytes: number, value: () => number, baseline: () => number, options: RateOptions): [number, number] {
  const sink = { value: 0 };
  rate(bytes, value, options.roundMs, sink);
  rate(bytes, baseline, options.roundMs, sink);
  let best = 0;
  let bestBaseline = 0;
  for (let round = 0; round < options.rounds; round++) {
    best = Math.max(best, rate(bytes, value, options.roundMs, sink));
    bestBaseline = Math.max(bestBaseline, rate(bytes, baseline, options.roundMs, sink));
  }
  if (sink.value === -1) throw new Error("unreachable");
  return [best, bestBaseline];
}
