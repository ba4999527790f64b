/**
 * hakuban in a browser: the package entry bundles for the browser platform with no Node built-in, and
 * the bundle runs in a bare context that has only what browsers have (no require, process or Buffer):
 * a node, a contract pair, a state delivered.
 */
import { build } from "esbuild";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { LocalNode, listen } from "../../lib/node-entry.js";

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [new URL("../../lib/index.ts", import.meta.url).pathname],
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "hakuban",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/** What a browser page has that the bundle may use (and nothing of Node: no require, process or Buffer). */
function browserGlobals(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    queueMicrotask,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    TextEncoder,
    TextDecoder,
    URL,
    AbortController,
    crypto: globalThis.crypto,
    performance: globalThis.performance,
    ...extra,
  };
}

describe("the browser build", () => {
  it("bundles for the browser and runs where only browser globals exist", async () => {
    const code = await bundle();
    expect(code).not.toMatch(/require\(["'](node:|fs|net|http|crypto|ws)["']\)/);
    const lines: string[] = [];
    const context = browserGlobals({
      console: { log: (...args: unknown[]) => lines.push(args.join(" ")), error: (...args: unknown[]) => lines.push(args.join(" ")) },
    });
    runInNewContext(
      `${code}
      const node = new hakuban.LocalNode({ name: "browser" });
      const expose = node.object(["ui"], { id: 1 }).expose();
      const observe = node.object(["ui"], { id: 1 }).observe();
      observe.onChange((state) => console.log("seen " + JSON.stringify(state.data)));
      expose.set({ hello: "browser" });
      console.log("typeof process: " + typeof process + ", typeof Buffer: " + typeof Buffer);`,
      context,
    );
    expect(lines).toEqual(['seen {"hello":"browser"}', "typeof process: undefined, typeof Buffer: undefined"]);
  });

  it("connects from a browser context to a Node parent over a real WebSocket (the global WebSocket API)", async () => {
    const code = await bundle();
    const parent = new LocalNode({ name: "server" });
    const server = await listen(parent, { port: 0 });
    const counter = parent.object(["ui"], "counter").expose<number>();
    counter.set(41);
    const seen: unknown[] = [];
    const browser = browserGlobals({
      report: (value: unknown) => seen.push(value),
      console,
      WebSocket, // ws implements the browser's WebSocket API; the bundle uses only that
      url: server.url,
    });
    runInNewContext(
      `${code}
      const node = new hakuban.LocalNode({ name: "tab" });
      const upstream = hakuban.connect(node, url);
      node.object(["ui"], "counter").observe().onChange((state) => state && state.synchronized && report(state.data));
      globalThis.shutdown = async () => { await upstream.close(); await node.close(); };`,
      browser,
    );
    // A real socket on a loaded machine can take seconds; a passing run never waits that long.
    await expect.poll(() => seen, { timeout: 10_000 }).toEqual([41]);
    counter.set(42);
    await expect.poll(() => seen, { timeout: 10_000 }).toEqual([41, 42]);
    await (browser.shutdown as () => Promise<void>)();
    await server.close();
    await parent.close();
    expect(seen).toEqual([41, 42]);
  });
});
