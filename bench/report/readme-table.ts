/**
 * The README's benchmark figures, rendered from the stored latest results (bench/latest.json) between
 * two markers. `npm run bench` rewrites that part of the README after every run, and a test fails when
 * it differs from what this renderer makes of the stored results, so the figures cannot be edited by
 * hand or go stale.
 */
import type { BenchResult } from "../result.js";
import { FIGURE_COLUMNS, figureCells } from "./figure-cells.js";
import { judgeGoal } from "./goal-verdict.js";
import type { BenchMachine, LatestResults } from "./latest-results.js";

/** Where the generated part of the README starts. */
export const BENCH_BEGIN = "<!-- bench:begin -->";
/** Where it ends. */
export const BENCH_END = "<!-- bench:end -->";

/** The README has no (or broken) benchmark markers, so the figures have nowhere to go. */
export class BenchMarkersError extends Error {
  readonly code = "BENCH_MARKERS";

  constructor(detail: string) {
    super(`README.md: ${detail}; put a line "${BENCH_BEGIN}" and, below it, a line "${BENCH_END}" where the benchmark figures belong`);
    this.name = "BenchMarkersError";
  }
}

/** A table cell: pipes escaped, line breaks flattened. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

function machineLine(file: string, machine: BenchMachine): string {
  const date = `${machine.date.slice(0, 10)} ${machine.date.slice(11, 16)} UTC`;
  return `\`npm run bench -- ${file}\` · ${date} · Node ${machine.node} · ${machine.os} · ${machine.cpus} × ${machine.cpuModel}`;
}

function row(result: BenchResult): string {
  return `| ${figureCells(result).map(cell).join(" | ")} |`;
}

/** The generated part of the README, markers excluded: a summary of goals, then one table per scenario. */
export function renderBenchTable(latest: LatestResults): string {
  const scenarios = Object.entries(latest.scenarios);
  const verdicts = scenarios.flatMap(([, run]) => run.results.map(judgeGoal)).filter((v) => v?.met !== undefined);
  const met = verdicts.filter((v) => v?.met === true).length;
  const lines = [
    "<!-- Written by `npm run bench` from bench/latest.json; edit neither by hand. -->",
    "",
    scenarios.length === 0
      ? "No figures yet: run `npm run bench`."
      : `**${met} of ${verdicts.length} checked goals met** (✓ met, ✗ missed), in the latest run of each scenario.`,
  ];
  for (const [file, run] of scenarios) {
    lines.push(
      "",
      `#### ${run.title}`,
      "",
      machineLine(file, run.machine),
      "",
      `| ${FIGURE_COLUMNS.join(" | ")} |`,
      `|${FIGURE_COLUMNS.map(() => "---|").join("")}`,
      ...run.results.map(row),
    );
  }
  return `\n${lines.join("\n")}\n`;
}

/** Where the generated part sits in `readme`: the offsets just after the begin marker and at the end marker. */
function generatedSpan(readme: string): [number, number] {
  const begin = readme.indexOf(BENCH_BEGIN);
  const end = readme.indexOf(BENCH_END);
  if (begin === -1 || end === -1) throw new BenchMarkersError("the benchmark markers are missing");
  if (end < begin || readme.indexOf(BENCH_BEGIN, begin + 1) !== -1 || readme.indexOf(BENCH_END, end + 1) !== -1) {
    throw new BenchMarkersError("the benchmark markers must appear once each, begin before end");
  }
  return [begin + BENCH_BEGIN.length, end];
}

/** The generated part currently in `readme`, markers excluded. */
export function benchTableOf(readme: string): string {
  const [from, to] = generatedSpan(readme);
  return readme.slice(from, to);
}

/** `readme` with its generated part rendered from `latest`; the rest is left as it is. */
export function withBenchTable(readme: string, latest: LatestResults): string {
  const [from, to] = generatedSpan(readme);
  return readme.slice(0, from) + renderBenchTable(latest) + readme.slice(to);
}
