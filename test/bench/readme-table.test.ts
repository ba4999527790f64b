import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { judgeGoal } from "../../bench/report/goal-verdict.js";
import { mergeLatestResults, readLatestResults, type ScenarioRun } from "../../bench/report/latest-results.js";
import { BENCH_BEGIN, BENCH_END, BenchMarkersError, benchTableOf, renderBenchTable, withBenchTable } from "../../bench/report/readme-table.js";
import type { BenchResult } from "../../bench/result.js";

const machine = { date: "2030-01-02T03:04:05.000Z", node: "v20.19.0", os: "linux x64", cpus: 2, cpuModel: "Some CPU" };
const run = (title: string, results: BenchResult[]): ScenarioRun => ({ title, machine, results });
const figure = (overrides: Partial<BenchResult>): BenchResult => ({ name: "f", value: 10, unit: "B", ...overrides });

it("the README's benchmark table is exactly what bench/latest.json renders to (run `npm run bench` instead of editing it)", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  expect(benchTableOf(readme)).toBe(renderBenchTable(readLatestResults()));
});

describe("goals", () => {
  it("a ratio goal is judged on the ratio, bound included or not as it says", () => {
    expect(judgeGoal(figure({ ratio: 0.5, goal: { of: "ratio", is: ">=", bound: 0.5 } }))).toEqual({ text: "≥ 0.5×", met: true });
    expect(judgeGoal(figure({ ratio: 0.49, goal: { of: "ratio", is: ">=", bound: 0.5 } }))?.met).toBe(false);
    expect(judgeGoal(figure({ ratio: 1, goal: { of: "ratio", is: ">", bound: 1 } }))?.met).toBe(false);
    expect(judgeGoal(figure({ ratio: 1.01, goal: { of: "ratio", is: ">", bound: 1 } }))?.met).toBe(true);
  });

  it("a value goal is judged on the value, in the figure's unit", () => {
    expect(judgeGoal(figure({ value: 2047, ratio: 0.01, goal: { of: "value", is: "<", bound: 2048 } }))).toEqual({ text: "< 2048 B", met: true });
    expect(judgeGoal(figure({ value: 2048, ratio: 99, goal: { of: "value", is: "<", bound: 2048 } }))?.met).toBe(false);
    expect(judgeGoal(figure({ value: 0, goal: { of: "value", is: "<=", bound: 0 } }))?.met).toBe(true);
  });

  it("a goal says what it means beside the comparison; a computed bound is rounded", () => {
    const says = judgeGoal(figure({ ratio: 60, goal: { of: "ratio", is: ">", bound: 50, says: "< 2% of the state" } }));
    expect(says).toEqual({ text: "> 50× (< 2% of the state)", met: true });
    expect(judgeGoal(figure({ unit: "KiB/min", value: 1, goal: { of: "value", is: "<", bound: 123.456 } }))?.text).toBe("< 123.5 KiB/min");
  });

  it("a missing or NaN figure misses its goal; a free-text goal is shown unchecked; no goal, no verdict", () => {
    expect(judgeGoal(figure({ goal: { of: "ratio", is: ">=", bound: 0.5 } }))?.met).toBe(false);
    expect(judgeGoal(figure({ value: Number.NaN, goal: { of: "value", is: "<", bound: 5 } }))?.met).toBe(false);
    expect(judgeGoal(figure({ goal: "≈ 0" }))).toEqual({ text: "≈ 0", met: undefined });
    expect(judgeGoal(figure({}))).toBeUndefined();
  });
});

describe("stored results", () => {
  const stored = { scenarios: { "fan-out": run("old fan-out", []), soak: run("old soak", []), gone: run("removed scenario", []) } };

  it("a run of some scenarios replaces their entries and keeps the others'; scenarios whose file is gone are dropped", () => {
    const merged = mergeLatestResults(stored, { soak: run("new soak", []), descriptor: run("new descriptor", []) }, ["soak", "fan-out", "descriptor"]);
    expect(Object.keys(merged.scenarios)).toEqual(["descriptor", "fan-out", "soak"]);
    expect(merged.scenarios.soak?.title).toBe("new soak");
    expect(merged.scenarios["fan-out"]?.title).toBe("old fan-out");
    expect(merged.scenarios.descriptor?.title).toBe("new descriptor");
  });
});

describe("the README's table", () => {
  const latest = {
    scenarios: {
      "fan-out": run("fan-out through a router", [
        figure({ name: "a | b", value: 12345.6, unit: "versions/s", baseline: { name: "raw ws", value: 20000 }, ratio: 0.617, goal: { of: "ratio", is: ">=", bound: 0.5 } }),
        figure({ name: "p99", value: 3.21, unit: "ms", ratio: 0.4, goal: { of: "ratio", is: ">=", bound: 0.5 } }),
        figure({ name: "plain", value: 7 }),
      ]),
    },
  };

  it("shows each scenario's run, each figure with its baseline, ratio and goal verdict, and counts the goals met", () => {
    const table = renderBenchTable(latest);
    expect(table).toContain("**1 of 2 checked goals met**");
    expect(table).toContain("#### fan-out through a router");
    expect(table).toContain("`npm run bench -- fan-out` · 2030-01-02 03:04 UTC · Node v20.19.0 · linux x64 · 2 × Some CPU");
    expect(table).toContain("| a \\| b | 12346 versions/s | 20000 (raw ws) | 0.62× | ✓ ≥ 0.5× |");
    expect(table).toContain("| p99 | 3.21 ms |  | 0.40× | ✗ ≥ 0.5× |");
    expect(table).toContain("| plain | 7.00 B |  |  |  |");
  });

  it("replaces only what lies between the markers, and refuses a README without them", () => {
    const readme = `# title\n\nbefore\n${BENCH_BEGIN}\nstale figures\n${BENCH_END}\nafter\n`;
    const updated = withBenchTable(readme, latest);
    expect(updated).toBe(`# title\n\nbefore\n${BENCH_BEGIN}${renderBenchTable(latest)}${BENCH_END}\nafter\n`);
    expect(benchTableOf(updated)).toBe(renderBenchTable(latest));
    expect(() => withBenchTable("# no markers\n", latest)).toThrow(BenchMarkersError);
    expect(() => withBenchTable(`${BENCH_END}\n${BENCH_BEGIN}\n`, latest)).toThrow(BenchMarkersError);
  });
});
