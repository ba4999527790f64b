/**
 * The layering and browser-safety rules of ../shared/DESIGN.md, checked on the source: imports go one
 * way, and what runs in browsers (lib/ and bindings/, and the browser carriers) uses no Node-only module.
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
  return out;
}

/** Every module specifier a file imports or re-exports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"/g), ...text.matchAll(/import\("([^"]+)"\)/g)].map((m) => m[1]!);
}

/** Imports of `folder`'s files that resolve into the project, as paths relative to the root. */
function projectImports(folder: string): Array<{ file: string; target: string }> {
  return sources(folder).flatMap((file) =>
    importsOf(file)
      .filter((spec) => spec.startsWith("."))
      .map((spec) => ({ file: relative(root, file), target: relative(root, join(file, "..", spec)) })),
  );
}

/** Node-only code: the glue that listens, the CLI, and the Node carriers. */
const NODE_ONLY = new Set(["lib/listen.ts", "lib/node-entry.ts", "lib/router.ts", "lib/router-cli.ts", "transports/ws-listener.ts", "transports/ws-dial.ts", "transports/node.ts"]);

describe("layers", () => {
  it("lib/node imports only the value types and events below it (no transport, binding, choreography or sync)", () => {
    const bad = projectImports("lib/node").filter(({ target }) => !/^lib\/(node|descriptor|state|events)\//.test(target) && target !== "lib/hakuban-error.js");
    expect(bad).toEqual([]);
  });

  it("lib/choreography knows nothing of hakuban", () => {
    expect(projectImports("lib/choreography").filter(({ target }) => !target.startsWith("lib/choreography/"))).toEqual([]);
  });

  it("transports know bytes only", () => {
    const bad = projectImports("transports").filter(({ target }) => !target.startsWith("transports/") && target !== "lib/hakuban-error.js");
    expect(bad).toEqual([]);
  });

  it("bindings stand between carriers and the choreography only", () => {
    const allowed = /^(bindings\/|transports\/carrier\.js$|lib\/choreography\/|lib\/hakuban-error\.js$)/;
    expect(projectImports("bindings").filter(({ target }) => !allowed.test(target))).toEqual([]);
  });

  it("nothing below the entry imports the glue (connect, listen, the router): the glue sits on top", () => {
    const glue = /^lib\/(connect|listen|node-entry|router|router-cli|router-options)\.js$/;
    const below = [...projectImports("lib"), ...projectImports("bindings"), ...projectImports("transports")].filter(({ file }) => /^(lib\/[a-z-]+\/|bindings\/|transports\/)/.test(file));
    expect(below.filter(({ target }) => glue.test(target))).toEqual([]);
  });
});

describe("browser safety", () => {
  it("lib/, bindings/ and the browser carriers use no node:* module, no ws, and no Buffer", () => {
    const files = [...sources("lib"), ...sources("bindings"), ...sources("transports")].filter((file) => !NODE_ONLY.has(relative(root, file)));
    const offenders: string[] = [];
    for (const file of files) {
      const specs = importsOf(file);
      if (specs.some((spec) => spec.startsWith("node:") || spec === "ws")) offenders.push(`${relative(root, file)} imports ${specs.filter((s) => s.startsWith("node:") || s === "ws").join(", ")}`);
      if (/\bBuffer\./.test(readFileSync(file, "utf8").replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ""))) offenders.push(`${relative(root, file)} uses Buffer`);
    }
    expect(offenders).toEqual([]);
  });
});
