/**
 * Turns cumulative counters into per-second rates over the last sampling interval: between two samples,
 * a counter's rate is how much it grew divided by the time between them. A key first counted in a sample
 * grew from 0 (what is counted started within the interval); a key not counted in a sample is forgotten.
 * Samples go `begin`, `count` for each key, `end`; between them `rate` answers from the last sample.
 */
export class RateSampler<K> {
  /** Counter values at the last sample (zeros left out). */
  private counts = new Map<K, number>();
  /** Rates over the last interval (zeros left out). */
  private rates = new Map<K, number>();
  private nextCounts = new Map<K, number>();
  private nextRates = new Map<K, number>();
  private seconds = 0;

  /** `start`: when the counters started (milliseconds), the beginning of the first interval. */
  constructor(private sampledAt: number) {}

  /** Starts a sample taken at `now` (milliseconds). */
  begin(now: number): void {
    this.seconds = (now - this.sampledAt) / 1000;
    this.sampledAt = now;
  }

  /** The counter of `key` is `value` now. */
  count(key: K, value: number): void {
    if (value === 0) return;
    this.nextCounts.set(key, value);
    const grown = value - (this.counts.get(key) ?? 0);
    if (grown > 0 && this.seconds > 0) this.nextRates.set(key, grown / this.seconds);
  }

  /** Ends the sample: its rates replace the last ones, and keys it did not count are forgotten. */
  end(): void {
    [this.counts, this.nextCounts] = [this.nextCounts, this.counts];
    [this.rates, this.nextRates] = [this.nextRates, this.rates];
    this.nextCounts.clear();
    this.nextRates.clear();
  }

  /** Per second over the last interval (0 before the first sample and for a key it did not count). */
  rate(key: K): number {
    return this.rates.get(key) ?? 0;
  }
}
