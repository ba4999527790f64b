/**
 * What hakuban adds to a browser bundle: esbuild (minified, browser platform, ESM) bundles a module
 * that takes only `LocalNode` from the package and one that re-exports the whole entry, and both are
 * gzipped. The LocalNode-only size is judged against the whole entry's (ratio = whole / LocalNode-only,
 * higher is better): it shows how much tree shaking leaves out, which `"sideEffects": false` enables.
 * "hakuban" is bundled from the source of the entry browsers get (lib/index.ts), so no build is needed.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { BenchResult, BenchScenario } from "./result.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Minified and gzipped sizes, in bytes, of a browser bundle of `source`. */
async function sizes(source: string): Promise<{ minified: number; gzipped: number }> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, sourcefile: "app.js" },
    alias: { hakuban: "./lib/index.ts" },
    bundle: true,
    minify: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.contents;
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

const scenario: BenchScenario = {
  name: "bundle-size",
  async run(progress) {
    progress("bundle-size: LocalNode only");
    const localNode = await sizes('export { LocalNode } from "hakuban";');
    progress("bundle-size: the whole entry");
    const whole = await sizes('export * from "hakuban";');
    return [
      {
        name: "bundle-size/LocalNode-only",
        value: localNode.gzipped,
        unit: "bytes gz",
        baseline: { name: "whole entry", value: whole.gzipped },
        ratio: whole.gzipped / localNode.gzipped,
        notes: "esbuild --minify, browser, ESM, gzip -9; its dependencies included",
      },
      { name: "bundle-size/LocalNode-only-minified", value: localNode.minified, unit: "bytes", notes: "before gzip" },
      { name: "bundle-size/whole-entry-minified", value: whole.minified, unit: "bytes", notes: "before gzip" },
    ] satisfies BenchResult[];
  },
};

export default scenario;
