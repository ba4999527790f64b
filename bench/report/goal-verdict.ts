import type { BenchComparison, BenchGoal, BenchResult } from "../result.js";
import { formatFigure } from "./format-figure.js";

/** What the bench says of a figure's goal: how it reads, and whether the figure meets it. */
export interface GoalVerdict {
  readonly text: string;
  /** Undefined when the goal is free text, which cannot be checked. */
  readonly met: boolean | undefined;
}

const SYMBOLS: Readonly<Record<BenchComparison, string>> = { ">=": "≥", ">": ">", "<=": "≤", "<": "<" };

/**
 * The goal as a person reads it: the checked comparison (a bound in × is on the ratio, one in the
 * figure's unit on its value; a bound set by hand is written as it was, a computed one rounded), then
 * what it means when the goal says so.
 */
export function goalText(goal: BenchGoal, unit: string): string {
  const written = Number.isInteger(goal.bound * 100) ? String(goal.bound) : formatFigure(goal.bound);
  const bound = goal.of === "ratio" ? `${written}×` : `${written} ${unit}`;
  const comparison = `${SYMBOLS[goal.is]} ${bound}`;
  return goal.says === undefined ? comparison : `${comparison} (${goal.says})`;
}

/** Whether `actual` compares with the goal's bound as the goal asks (a missing or NaN figure never does). */
export function meetsGoal(goal: BenchGoal, actual: number | undefined): boolean {
  if (actual === undefined || Number.isNaN(actual)) return false;
  switch (goal.is) {
    case ">=":
      return actual >= goal.bound;
    case ">":
      return actual > goal.bound;
    case "<=":
      return actual <= goal.bound;
    case "<":
      return actual < goal.bound;
  }
}

/** The verdict on a figure's goal, or undefined when it has none. */
export function judgeGoal(result: BenchResult): GoalVerdict | undefined {
  const goal = result.goal;
  if (goal === undefined) return undefined;
  if (typeof goal === "string") return { text: goal, met: undefined };
  return { text: goalText(goal, result.unit), met: meetsGoal(goal, goal.of === "ratio" ? result.ratio : result.value) };
}
