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
  /**
   * The figure's goal. A BenchGoal is checked and shown as met or missed in the README's table; a
   * string is shown as it is, unchecked.
   */
  readonly goal?: BenchGoal | string;
  readonly notes?: string;
}

/** How a goal compares a figure with its bound. */
export type BenchComparison = ">=" | ">" | "<=" | "<";

/**
 * A goal the bench can check: `of` names the number judged (the ratio against the same-run baseline,
 * or the value itself, in the figure's unit), `is` how it must compare with `bound`. For example
 * `{ of: "ratio", is: ">=", bound: 0.5 }` is "at least half the baseline's rate".
 */
export interface BenchGoal {
  readonly of: "ratio" | "value";
  readonly is: BenchComparison;
  readonly bound: number;
  /** How the goal reads to a person when the comparison alone does not say it, e.g. "< 2% of the full state". */
  readonly says?: string;
}

/** A scenario module default-exports one of these; `bench/run.ts` runs them in order. */
export interface BenchScenario {
  readonly name: string;
  run(progress: (message: string) => void): Promise<BenchResult[]>;
}
