#!/usr/bin/env node
// Builds the API reference of the package's public entry with TypeDoc, as configured in typedoc.json
// next to this file (into docs/api/, warnings are errors). Arguments are passed on to TypeDoc, e.g.
// `--emit none` to check the doc comments without writing anything. TypeDoc resolves its own
// TypeScript 5 from this folder, so the project keeps its own compiler.
import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const typedoc = dirname(createRequire(import.meta.url).resolve("typedoc/package.json"));
fork(join(typedoc, "dist", "cli.js"), ["--options", join(here, "typedoc.json"), ...process.argv.slice(2)], { stdio: "inherit" }).on(
  "exit",
  (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)),
);
