/**
 * One figure a benchmark scenario reports. Machines are noisy, so every figure that matters comes with
 * a baseline measured in the same run and is judged by `ratio` (value / baseline, or baseline / value
 * where lower is better, so that a ratio above 1 is always "better than the baseline").
 */
export interface BenchResult {
  /** Scenario and case, e.g. "local-delivery/set→observer". */
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number };
  /** value relative to the baseline, oriented so that higher is better. */
  readonly ratio?: number;
  /** The goal for `ratio` (or for `value` when there is no baseline), for the table. */
  readonly goal?: string;
  readonly notes?: string;
}

/** A scenario module default-exports one of these; `bench/run.ts` runs them in order. */
export interface BenchScenario {
  readonly name: string;
  run(progress: (message: string) => void): Promise<BenchResult[]>;
}
