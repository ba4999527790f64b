import type { BenchResult } from "../result.js";
import { formatFigure } from "./format-figure.js";
import { judgeGoal } from "./goal-verdict.js";

/** The columns a figure is shown in, in the console and in the README. */
export const FIGURE_COLUMNS = ["figure", "result", "baseline (same run)", "ratio", "goal"] as const;

/**
 * One figure as the cells of FIGURE_COLUMNS: the goal cell starts with ✓ or ✗ when the goal is
 * checkable, and is empty when there is no goal.
 */
export function figureCells(result: BenchResult): string[] {
  const verdict = judgeGoal(result);
  const mark = verdict?.met === undefined ? "" : verdict.met ? "✓ " : "✗ ";
  return [
    result.name,
    `${formatFigure(result.value)} ${result.unit}`,
    result.baseline === undefined ? "" : `${formatFigure(result.baseline.value)} (${result.baseline.name})`,
    result.ratio === undefined ? "" : `${result.ratio.toFixed(2)}×`,
    verdict === undefined ? "" : `${mark}${verdict.text}`,
  ];
}
