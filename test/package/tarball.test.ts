/**
 * The package as a user installs it: the tarball `npm pack` makes from a clean clone, installed into
 * a new project. Its examples run, the root import in Node has `listen` and the Node `connect`,
 * `require()` works, its declarations typecheck for a consumer without exposing internals, bundlers
 * pick the browser or the Node entry, and it ships what it should and nothing else.
 */
import { build } from "esbuild";
import { cp, readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { networking } from "../../examples/networking.js";
import { quickStart } from "../../examples/quick-start.js";
import { runThreeLevelTree } from "../../examples/three-level-tree.js";
import { trust } from "../../examples/trust.js";
import { monitor } from "../../examples/monitor.js";
import { msgpackExample } from "../../examples/msgpack-codec.js";
import { type PackedInstall, packAndInstall, repo } from "./packed-install.js";

/** The examples the README shows (all that export a function to run); demo.ts spawns the repository's scripts. */
const EXAMPLES = ["quick-start", "networking", "three-level-tree", "tag-dashboard", "exposer", "observer", "until-stopped", "trust", "monitor"];

const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");

/** A Node project's use of the public API; fails to compile if internals are visible. */
const NODE_CONSUMER = `
import { LocalNode, connect, listen, type Codec, type Listener, type ObjectObserve, type ObjectState, type Upstream } from "hakuban";
import * as nodeEntry from "hakuban/node";

const node = new LocalNode({ name: "consumer" });
const observer: ObjectObserve<{ count: number }> = node.object(["demo"], { id: 1 }).observe<{ count: number }>();
const latest: ObjectState<{ count: number }> | undefined = observer.state;
node.object(["demo"], { id: 1 }).expose<{ count: number }>().set({ count: (latest?.data.count ?? 0) + 1 });
const text: Codec<string> = { format: "text", encode: (value) => new TextEncoder().encode(value), decode: (bytes) => new TextDecoder().decode(bytes) };
node.object(["demo"], { id: 2 }).expose({ codec: text }).set("not JSON-checked");
export const decoded: string | undefined = node.object(["demo"], { id: 2 }).observe({ codec: text }).data;
node.object(["demo"], { id: 3 }).expose().set(new Uint8Array(4));
node.tag("demo").observe().onChange((change) => change.descriptor.json);
export const upstream: Upstream = connect(node, "ws://127.0.0.1:1", { reconnect: false });
export const listener: Promise<Listener> = listen(node, { port: 0 });
export const same: typeof nodeEntry.listen = listen;
// @ts-expect-error the node's exchange is internal
node.exchange;
// @ts-expect-error links are adopted by connect and listen only
node.adoptLink;
`;

/** A browser project (bundler resolution, no Node types): the browser entry, which has no listen. */
const BROWSER_CONSUMER = `
import { LocalNode, connect, type Upstream } from "hakuban";
// @ts-expect-error listen is Node only
import { listen } from "hakuban";

export const upstream: Upstream = connect(new LocalNode({ name: "tab" }), "wss://example.org/hakuban");
export { listen };
`;

let installed: PackedInstall;

beforeAll(async () => {
  installed = await packAndInstall();
  const examples = join(installed.app, "examples");
  await build({
    entryPoints: EXAMPLES.map((name) => join(repo, "examples", `${name}.ts`)),
    outdir: examples,
    platform: "node",
    format: "esm",
    logLevel: "silent",
  });
  // Its codec's library (a dev dependency here, not the package's) goes inside the example's bundle.
  await build({
    entryPoints: [join(repo, "examples", "msgpack-codec.ts")],
    outdir: examples,
    bundle: true,
    external: ["hakuban", "rxjs"],
    platform: "node",
    format: "esm",
    logLevel: "silent",
  });
  await cp(new URL("./app", import.meta.url), installed.app, { recursive: true });
}, 60_000);

afterAll(async () => {
  await installed?.remove();
});

/** Runs `node <args>` in the scratch project and parses the JSON line it prints. */
async function nodeJson(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await installed.exec(process.execPath, args);
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Bundles `source` as if it were a file of the scratch project; returns the package files it took. */
async function bundleInputs(source: string, platform: "browser" | "node"): Promise<{ inputs: string[]; bytes: number }> {
  const result = await build({
    stdin: { contents: source, resolveDir: installed.app, sourcefile: "entry.js" },
    absWorkingDir: installed.app,
    bundle: true,
    platform,
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return { inputs: Object.keys(result.metafile.inputs), bytes: result.outputFiles[0]!.contents.length };
}

describe("the installed package", () => {
  it("runs the README's examples and they print what they print from the source", async () => {
    const printed = await nodeJson(["examples.mjs"]);
    const fromSource = async (example: (log: (line: string) => void) => Promise<unknown>): Promise<string[]> => {
      const lines: string[] = [];
      await example((line) => lines.push(line));
      return lines;
    };
    expect(printed.quickStart).toEqual(await fromSource(quickStart));
    expect(printed.networking).toEqual(await fromSource(networking));
    expect(printed.trust).toEqual(await fromSource(trust));
    expect(printed.monitor).toEqual(await fromSource(monitor));
    expect(printed.msgpackCodec).toEqual(await fromSource(msgpackExample));
    expect(printed.threeLevelTree).toEqual(await runThreeLevelTree({ log: () => {} }));
    expect((printed.tagDashboard as string[])[9]).toBe("load: big(3) serves 6, small(1) serves 2");
    expect(printed.exposer).toContain("assigned: publishing");
    expect((printed.observer as string[]).at(-1)).toBe("stopped after 2 updates");
  });

  it('gives Node the Node entry at the root import: `listen`, and a `connect` that links over 127.0.0.1', async () => {
    expect(await nodeJson(["root-import.mjs"])).toEqual({ seen: "crossed the link", sameAsNodeEntry: true });
  });

  it.skipIf(!process.features.require_module)('loads with require("hakuban") and require("hakuban/node")', async () => {
    expect(await nodeJson(["require.cjs"])).toEqual({ seen: ["delivered"], listen: "function", sameAsNodeEntry: true });
  });

  it("installs the hakuban-router command, which finds the package's version from dist/", async () => {
    const router = join(installed.app, "node_modules", ".bin", "hakuban-router");
    expect((await installed.exec(router, ["--help"])).stdout).toContain("--bind");
    const { version } = JSON.parse(await readFile(join(repo, "package.json"), "utf8")) as { version: string };
    expect((await installed.exec(router, ["--version"])).stdout.trim()).toBe(`hakuban-router ${version}`);
  });

  it("serves the inspector page built into the package, the metrics and the page's configuration from hakuban-router's port", async () => {
    expect(await nodeJson(["router-page.mjs"])).toEqual({
      page: 200,
      type: "text/html; charset=utf-8",
      inspector: true,
      metrics: true,
      config: { monitorTag: "monitor", path: "/", authenticate: false },
    });
  });

  it("installs the hakuban command, which finds the package's version from dist/", async () => {
    const client = join(installed.app, "node_modules", ".bin", "hakuban");
    expect((await installed.exec(client, ["--help"])).stdout).toContain("hakuban top URL");
    const { version } = JSON.parse(await readFile(join(repo, "package.json"), "utf8")) as { version: string };
    expect((await installed.exec(client, ["--version"])).stdout.trim()).toBe(`hakuban ${version}`);
  });

  it("has declarations that typecheck for a Node and a browser consumer, without internal members", async () => {
    const typeRoots = [join(repo, "node_modules", "@types")];
    const base = { target: "ES2022", strict: true, noEmit: true, skipLibCheck: false, lib: ["ES2023"], typeRoots };
    await writeFile(join(installed.app, "node-consumer.ts"), NODE_CONSUMER);
    await writeFile(join(installed.app, "browser-consumer.ts"), BROWSER_CONSUMER);
    await writeFile(
      join(installed.app, "tsconfig.node.json"),
      JSON.stringify({ compilerOptions: { ...base, module: "NodeNext", moduleResolution: "NodeNext", types: ["node"] }, files: ["node-consumer.ts"] }),
    );
    await writeFile(
      join(installed.app, "tsconfig.browser.json"),
      JSON.stringify({
        compilerOptions: { ...base, module: "ESNext", moduleResolution: "Bundler", lib: ["ES2023", "DOM"], types: [] },
        files: ["browser-consumer.ts"],
      }),
    );
    for (const project of ["tsconfig.node.json", "tsconfig.browser.json"]) {
      const outcome = await installed.exec(process.execPath, [tsc, "-p", project]).catch((error: { stdout: string }) => error);
      expect(outcome.stdout, project).toBe("");
    }
  });

  it("declares no public type as any", async () => {
    const declarations = join(installed.app, "node_modules", "hakuban", "dist");
    const files = (await readdir(declarations, { recursive: true })).filter((path) => path.endsWith(".d.ts"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const code = (await readFile(join(declarations, file), "utf8")).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      // `any` as a type (`: any`, `any[]`, `<any>`, `| any`), not a property named any (`any: true`).
      expect(code, file).not.toMatch(/(?<![\w$.])any(?=\s*(?:[\][;,)>|&=]|$))/m);
    }
  });

  it("resolves to the browser entry for browser bundles and to the Node entry for Node bundles", async () => {
    const source = 'import { connect } from "hakuban"; console.log(connect);';
    const browser = (await bundleInputs(source, "browser")).inputs;
    expect(browser).toContain("node_modules/hakuban/dist/lib/index.js");
    expect(browser).not.toContain("node_modules/hakuban/dist/lib/node-entry.js");
    expect(browser.filter((path) => path.startsWith("node_modules/ws/"))).toEqual([]);
    const node = (await bundleInputs(source, "node")).inputs;
    expect(node).toContain("node_modules/hakuban/dist/lib/node-entry.js");
  });

  it("declares no side effects, so an unused import bundles to nothing", async () => {
    expect((await bundleInputs('import "hakuban";', "browser")).bytes).toBe(0);
  });

  it("ships source maps that carry their sources, so stack traces name the TypeScript files", async () => {
    const dist = join(installed.app, "node_modules", "hakuban", "dist");
    const maps = (await readdir(dist, { recursive: true })).filter((path) => path.endsWith(".js.map"));
    expect(maps.length).toBeGreaterThan(0);
    for (const path of maps) {
      const map = JSON.parse(await readFile(join(dist, path), "utf8")) as { file: string; sources: string[]; sourcesContent?: (string | null)[] };
      expect(await readdir(dirname(join(dist, path))), path).toContain(map.file);
      expect(map.sourcesContent?.length, path).toBe(map.sources.length);
      expect(map.sourcesContent?.every((content) => typeof content === "string"), path).toBe(true);
    }
    const entryMap = JSON.parse(await readFile(join(dist, "lib", "node-entry.js.map"), "utf8")) as { sourcesContent: string[] };
    expect(entryMap.sourcesContent[0]).toBe(await readFile(join(repo, "lib", "node-entry.ts"), "utf8"));
    const { stdout } = await installed.exec(process.execPath, ["--enable-source-maps", "stack-trace.mjs"]);
    expect(stdout).toMatch(/node_modules\/hakuban\/lib\/descriptor\/object-descriptor\.ts:\d+:\d+/);
  });

  it("is packed from a clean clone, which the build leaves as it was but for dist/", () => {
    expect(installed.addedByPacking).toEqual(["dist"]);
  });

  it("ships the compiled library, its declarations, LICENSE and README, and no sources, tests or benchmarks", async () => {
    const files = installed.tarballFiles;
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json"]));
    expect(files).toEqual(expect.arrayContaining(["dist/lib/index.js", "dist/lib/index.d.ts", "dist/lib/node-entry.js", "dist/lib/node-entry.d.ts"]));
    expect(files).toEqual(expect.arrayContaining(["dist/lib/router/router-cli.js", "dist/lib/cli/hakuban-cli.js", "dist/inspector/index.html"]));
    const unexpected = files.filter(
      (path) => !["LICENSE", "README.md", "package.json", "dist/inspector/index.html"].includes(path) && !/^dist\/(lib|bindings|transports)\//.test(path),
    );
    expect(unexpected).toEqual([]);
    expect(files.filter((path) => /\.ts$/.test(path) && !path.endsWith(".d.ts"))).toEqual([]);
    expect(files.filter((path) => /(^|\/)(test|bench)\/|\.test\./.test(path))).toEqual([]);
    const manifest = JSON.parse(await readFile(join(installed.app, "node_modules", "hakuban", "package.json"), "utf8")) as { scripts?: Record<string, string> };
    expect(Object.keys(manifest.scripts ?? {}).filter((name) => ["preinstall", "install", "postinstall", "prepare"].includes(name))).toEqual([]);
  });
});
