/**
 * The latest results of every scenario, committed as bench/latest.json: the README's benchmark table is
 * rendered from it. A run replaces the entries of the scenarios it ran and keeps the others, so
 * `npm run bench -- fan-out` refreshes the fan-out rows only; each entry says when and where it ran.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, platform, arch } from "node:os";
import type { BenchResult } from "../result.js";

/** Where and when a scenario ran. */
export interface BenchMachine {
  /** ISO 8601 time the scenario finished. */
  readonly date: string;
  /** `process.version`, e.g. "v20.19.0". */
  readonly node: string;
  /** Operating system and architecture, e.g. "linux x64". */
  readonly os: string;
  readonly cpus: number;
  readonly cpuModel: string;
}

/** One scenario's latest run. */
export interface ScenarioRun {
  /** The scenario's own name (`BenchScenario.name`). */
  readonly title: string;
  readonly machine: BenchMachine;
  readonly results: readonly BenchResult[];
}

/** The latest run of each scenario, by the scenario's file name without `.ts` (what `npm run bench -- NAME` takes). */
export interface LatestResults {
  readonly scenarios: { readonly [file: string]: ScenarioRun };
}

/** bench/latest.json. */
export const LATEST_RESULTS_FILE = new URL("../latest.json", import.meta.url);

/** This machine and Node, now. */
export function currentMachine(): BenchMachine {
  const cores = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    os: `${platform()} ${arch()}`,
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? "unknown",
  };
}

/** Reads the stored results (none yet when the file does not exist). */
export function readLatestResults(file: URL = LATEST_RESULTS_FILE): LatestResults {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { scenarios: {} };
    throw error;
  }
  return JSON.parse(text) as LatestResults;
}

/**
 * The stored results after a run: the scenarios that ran replace their entries, the others stay, and
 * entries of scenarios whose file is gone (`existing` lists the files there are) are dropped. Sorted
 * by file name, as the bench runs them.
 */
export function mergeLatestResults(stored: LatestResults, ran: { readonly [file: string]: ScenarioRun }, existing: readonly string[]): LatestResults {
  const merged: Record<string, ScenarioRun> = {};
  for (const file of [...existing].sort()) {
    const run = ran[file] ?? stored.scenarios[file];
    if (run !== undefined) merged[file] = run;
  }
  return { scenarios: merged };
}

/** Writes the stored results (two-space JSON, one trailing newline, so diffs stay small). */
export function writeLatestResults(results: LatestResults, file: URL = LATEST_RESULTS_FILE): void {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
