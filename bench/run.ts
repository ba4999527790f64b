/**
 * `npm run bench`: runs every scenario (or those named on the command line), shows progress on stderr,
 * prints a table of figures with their same-run baselines, and writes the results as JSON to
 * bench/results/<timestamp>.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchResult, BenchScenario } from "./result.js";

const here = dirname(fileURLToPath(import.meta.url));
const skip = new Set(["run.ts", "result.ts"]);
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && !skip.has(f) && !f.endsWith(".d.ts"))
  .filter((f) => wanted.length === 0 || wanted.includes(basename(f, ".ts")))
  .sort();

const all: BenchResult[] = [];
for (const file of files) {
  const scenario = (await import(pathToFileURL(join(here, file)).href)).default as BenchScenario | undefined;
  if (!scenario || typeof scenario.run !== "function") continue;
  const started = Date.now();
  process.stderr.write(`▶ ${scenario.name}\n`);
  const results = await scenario.run((message) => process.stderr.write(`  … ${message}\n`));
  process.stderr.write(`✔ ${scenario.name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  all.push(...results);
}

const fmt = (n: number) => (Math.abs(n) >= 1000 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toPrecision(3));
const rows = all.map((r) => [
  r.name,
  `${fmt(r.value)} ${r.unit}`,
  r.baseline ? `${fmt(r.baseline.value)} (${r.baseline.name})` : "",
  r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : "",
  r.goal ?? "",
]);
const header = ["figure", "value", "baseline (same run)", "ratio", "goal"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of rows) console.log(line(r));

mkdirSync(join(here, "results"), { recursive: true });
const out = join(here, "results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(out, JSON.stringify({ node: process.version, date: new Date().toISOString(), results: all }, null, 2));
process.stderr.write(`results written to ${out}\n`);
