/**
 * Builds the inspector page: esbuild bundles `inspector/main.ts` (with the project's browser entry) into
 * one script, and the script and the stylesheet are inlined into `dist/inspector/index.html`, a single
 * self-contained file the router serves at `GET /`.
 */
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Text that is safe inside an inline `<script>` or `<style>` element: no closing tag can end it early. */
function inlineSafe(text: string, element: "script" | "style"): string {
  return text.replace(new RegExp(`</(${element})`, "gi"), "<\\/$1");
}

const bundle = await build({
  entryPoints: [here("./main.ts")],
  bundle: true,
  write: false,
  format: "iife",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
});
const script = bundle.outputFiles[0]?.text ?? "";
const style = readFileSync(here("./style.css"), "utf8");
const page = readFileSync(here("./index.html"), "utf8")
  .replace("/*STYLE*/", () => inlineSafe(style, "style"))
  .replace("/*SCRIPT*/", () => inlineSafe(script, "script"));

const out = here("../dist/inspector/");
mkdirSync(out, { recursive: true });
writeFileSync(`${out}index.html`, page);
