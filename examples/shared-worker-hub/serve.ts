// Serves the shared-worker-hub example on 127.0.0.1: the page, the tab's script and the hub's, bundled
// for browsers with esbuild. Open the URL it prints in two or more tabs.
// Run: npx tsx examples/shared-worker-hub/serve.ts
import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
// In the hakuban repository, `hakuban` is the source's browser entry; elsewhere, the installed package's.
const source = here("../../lib/index.ts");
const alias: Record<string, string> = existsSync(source) ? { hakuban: source } : {};

/** The example's server: its URL, and how to stop it. */
export interface HubExample {
  readonly url: string;
  close(): Promise<void>;
}

/** Bundles the example and serves it on 127.0.0.1 at `port` (0: a free one). */
export async function serveHubExample(port = 0): Promise<HubExample> {
  const bundled = await build({
    entryPoints: { tab: here("./tab.ts"), hub: here("./hub.ts") },
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    minify: true,
    write: false,
    outdir: "/",
    alias,
    logLevel: "silent",
  });
  const files = new Map<string, { type: string; body: string }>([["/", { type: "text/html", body: readFileSync(here("./index.html"), "utf8") }]]);
  for (const file of bundled.outputFiles) files.set(file.path, { type: "text/javascript", body: file.text });
  const server = createServer((request, response) => {
    const file = files.get(request.url ?? "");
    response.writeHead(file === undefined ? 404 : 200, { "content-type": `${file?.type ?? "text/plain"}; charset=utf-8` });
    response.end(file?.body ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const example = await serveHubExample(8090);
  console.log(`open ${example.url} in two or more tabs`);
}
