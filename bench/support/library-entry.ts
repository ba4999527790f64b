/**
 * Which build of hakuban the benchmark processes load. Run from the TypeScript sources through `tsx`,
 * every function gets its name set at run time (tsx compiles with esbuild's keepNames), which turns each
 * closure into a dictionary-mode object of a few hundred bytes and slows closure creation: a router run
 * that way holds kilobytes per object that the shipped JavaScript does not. So by default the library is
 * compiled once per bench process with the project's `tsconfig.build.json` (what `npm run build` ships)
 * into a scratch folder under `bench/results/` (removed on exit), and processes import that.
 * `HAKUBAN_BENCH_SOURCE=tsx` loads the sources through tsx instead.
 */
import { execFile } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The `hakuban/node` module: what a benchmark process imports, compiled or from source. */
export type HakubanModule = typeof import("../../lib/node-entry.js");

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
let entry: Promise<string> | undefined;

/** The URL of `lib/node-entry` to import in benchmark processes: the compiled build unless asked otherwise. */
export function libraryEntry(): Promise<string> {
  if (process.env.HAKUBAN_BENCH_SOURCE === "tsx") return Promise.resolve(pathToFileURL(join(root, "lib", "node-entry.ts")).href);
  return (entry ??= compile());
}

/**
 * Makes child processes forked from now on load the same build as libraryEntry() (they read it from
 * the environment with `hakubanForChild()`).
 */
export async function shareLibraryWithChildren(): Promise<void> {
  process.env.HAKUBAN_LIBRARY_URL ??= await libraryEntry();
}

/** In a child process: hakuban as the parent chose (the compiled build), else from source. */
export function hakubanForChild(): Promise<HakubanModule> {
  return loadHakuban(process.env.HAKUBAN_LIBRARY_URL ?? pathToFileURL(join(root, "lib", "node-entry.ts")).href);
}

/** Imports hakuban from `url` (an answer of libraryEntry, passed to a child process). */
export async function loadHakuban(url: string): Promise<HakubanModule> {
  return (await import(url)) as HakubanModule;
}

async function compile(): Promise<string> {
  const out = join(root, "bench", "results", `.lib-${process.pid}`);
  process.once("exit", () => rmSync(out, { recursive: true, force: true }));
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  // Type errors elsewhere in a work-in-progress tree do not stop the emit; a missing output does.
  await new Promise<void>((resolve) => execFile(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", out], { cwd: root }, () => resolve()));
  const file = join(out, "lib", "node-entry.js");
  if (!existsSync(file)) throw new Error(`compiling the library into ${out} failed; run with HAKUBAN_BENCH_SOURCE=tsx to bench the sources`);
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
  return pathToFileURL(file).href;
}
