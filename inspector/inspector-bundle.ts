import { build } from "esbuild";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Where `npm run build` puts the page, and where the router looks for it. */
export const INSPECTOR_PAGE_PATH = here("../dist/inspector/index.html");

/** Text that is safe inside an inline `<script>` or `<style>` element: no closing tag can end it early. */
function inlineSafe(text: string, element: "script" | "style"): string {
  return text.replace(new RegExp(`</(${element})`, "gi"), "<\\/$1");
}

/**
 * The inspector page as one self-contained HTML file: esbuild bundles `inspector/main.ts` (with the
 * project's browser entry) into one script, inlined with the stylesheet into `inspector/index.html`.
 */
export async function bundleInspectorPage(): Promise<string> {
  const bundle = await build({
    entryPoints: [here("./main.ts")],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]?.text ?? "";
  const style = readFileSync(here("./style.css"), "utf8");
  return readFileSync(here("./index.html"), "utf8")
    .replace("/*STYLE*/", () => inlineSafe(style, "style"))
    .replace("/*SCRIPT*/", () => inlineSafe(script, "script"));
}

/**
 * Builds the page and writes it to `path` in one step (a whole file or none: a router reading it
 * meanwhile never sees half of it).
 */
export async function writeInspectorPage(path: string = INSPECTOR_PAGE_PATH): Promise<void> {
  const page = await bundleInspectorPage();
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, page);
  renameSync(partial, path);
}
