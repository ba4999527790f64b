/**
 * The layering and browser-safety rules of docs/architecture.md, checked on the source. The rules are
 * read from the table in that document, so the document and this test cannot disagree.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;

function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) out.push(path);
    }
  };
  walk(join(root, folder));
  return out.map((file) => relative(root, file));
}

/** Every module specifier a file imports or re-exports. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"/g), ...text.matchAll(/import\("([^"]+)"\)/g)].map((m) => m[1]!);
}

interface Layer {
  readonly folder: string;
  readonly node: boolean;
  readonly mayImport: readonly string[];
}

/** The rows of the layer table in docs/architecture.md (entries excepted). */
function layerTable(): Layer[] {
  const doc = readFileSync(join(root, "docs/architecture.md"), "utf8");
  const table = /<!-- layers:begin -->([\s\S]*?)<!-- layers:end -->/.exec(doc)?.[1];
  if (table === undefined) throw new Error("docs/architecture.md has no layer table between its markers");
  const folders = (cell: string) => [...cell.matchAll(/`([^`]+\/)`/g)].map((m) => m[1]!);
  return table
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| layer"))
    .map((line) => line.split("|").map((cell) => cell.trim()))
    .filter((cells) => folders(cells[2]!).length === 1)
    .map((cells) => ({ folder: folders(cells[2]!)[0]!, node: cells[3] === "Node", mayImport: folders(cells[4]!) }));
}

const layers = layerTable();
const ENTRIES = ["lib/index.ts", "lib/node-entry.ts"];

/** The layer holding `file`: the deepest folder of the table that contains it. */
function layerOf(file: string): Layer | undefined {
  return layers.filter((layer) => file.startsWith(layer.folder)).sort((a, b) => b.folder.length - a.folder.length)[0];
}

const files = [...sources("lib"), ...sources("bindings"), ...sources("transports")];

describe("layers (docs/architecture.md)", () => {
  it("the table is read and names every folder of lib/, bindings/ and transports/", () => {
    expect(layers.length).toBeGreaterThan(10);
    const orphans = files.filter((file) => !ENTRIES.includes(file) && layerOf(file) === undefined);
    expect(orphans).toEqual([]);
  });

  it("every import goes to the file's own layer or to one the table allows", () => {
    const bad: string[] = [];
    for (const file of files) {
      if (ENTRIES.includes(file)) continue;
      const layer = layerOf(file)!;
      for (const spec of importsOf(file).filter((s) => s.startsWith("."))) {
        const target = relative(root, join(root, file, "..", spec)).replace(/\.js$/, ".ts");
        const targetLayer = layerOf(target);
        if (targetLayer === layer) continue;
        if (targetLayer === undefined || !layer.mayImport.includes(targetLayer.folder)) bad.push(`${file} imports ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("entry files only re-export", () => {
    for (const entry of ENTRIES) {
      const code = readFileSync(join(root, entry), "utf8")
        .replace(/\/\*[\s\S]*?\*\/|\/\/.*/g, "")
        .split(/;\s*/)
        .map((statement) => statement.trim())
        .filter((statement) => statement !== "");
      expect(code.filter((statement) => !/^export\s+(\*|\{|type\s+\{)[\s\S]*\sfrom\s+"[^"]+"$/.test(statement))).toEqual([]);
    }
  });
});

describe("browser safety", () => {
  it("code that runs everywhere uses no node:* module, no ws, and no Buffer", () => {
    const offenders: string[] = [];
    for (const file of files) {
      if (file === "lib/node-entry.ts" || layerOf(file)?.node === true) continue;
      const specs = importsOf(file).filter((s) => s.startsWith("node:") || s === "ws");
      if (specs.length > 0) offenders.push(`${file} imports ${specs.join(", ")}`);
      if (/\bBuffer\./.test(readFileSync(join(root, file), "utf8").replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ""))) offenders.push(`${file} uses Buffer`);
    }
    expect(offenders).toEqual([]);
  });
});
