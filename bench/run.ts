/**
 * `npm run bench`: runs every scenario (or those named on the command line, e.g. `npm run bench --
 * fan-out`), shows progress on stderr and a table of figures on stdout, writes the run's results to
 * bench/results/<timestamp>.json, stores each scenario's latest results in bench/latest.json and
 * renders the README's benchmark table from them. A scenario that fails keeps its previous figures;
 * the run then exits with code 1.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { FIGURE_COLUMNS, figureCells } from "./report/figure-cells.js";
import { currentMachine, mergeLatestResults, readLatestResults, writeLatestResults, type ScenarioRun } from "./report/latest-results.js";
import { withBenchTable } from "./report/readme-table.js";
import type { BenchResult, BenchScenario } from "./result.js";

const here = dirname(fileURLToPath(import.meta.url));
const readmeFile = join(here, "..", "README.md");
const skip = new Set(["run.ts", "result.ts"]);
const scenarioFiles = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && !skip.has(f) && !f.endsWith(".d.ts"))
  .map((f) => basename(f, ".ts"))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !scenarioFiles.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`No scenario named ${unknown.join(", ")}; the scenarios are: ${scenarioFiles.join(", ")}.\n`);
  process.exit(2);
}

const ran: Record<string, ScenarioRun> = {};
const failed: string[] = [];
for (const file of scenarioFiles.filter((f) => wanted.length === 0 || wanted.includes(f))) {
  const scenario = (await import(pathToFileURL(join(here, `${file}.ts`)).href)).default as BenchScenario | undefined;
  if (!scenario || typeof scenario.run !== "function") continue;
  const started = Date.now();
  process.stderr.write(`▶ ${scenario.name}\n`);
  try {
    const results = await scenario.run((message) => process.stderr.write(`  … ${message}\n`));
    ran[file] = { title: scenario.name, machine: currentMachine(), results };
    process.stderr.write(`✔ ${scenario.name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  } catch (error) {
    failed.push(file);
    process.stderr.write(`✘ ${scenario.name} failed; its previous figures stay: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
}

const all: BenchResult[] = Object.values(ran).flatMap((run) => run.results);
const rows = all.map(figureCells);
const header = [...FIGURE_COLUMNS];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of rows) console.log(line(r));

mkdirSync(join(here, "results"), { recursive: true });
const out = join(here, "results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(out, JSON.stringify({ node: process.version, date: new Date().toISOString(), results: all }, null, 2));
process.stderr.write(`results written to ${out}\n`);

if (Object.keys(ran).length > 0) {
  const latest = mergeLatestResults(readLatestResults(), ran, scenarioFiles);
  writeLatestResults(latest);
  writeFileSync(readmeFile, withBenchTable(readFileSync(readmeFile, "utf8"), latest));
  process.stderr.write(`bench/latest.json and the README's benchmark table updated (${Object.keys(ran).join(", ")})\n`);
}
if (failed.length > 0) {
  process.stderr.write(`failed: ${failed.join(", ")}\n`);
  process.exitCode = 1;
}
