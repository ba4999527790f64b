/**
 * Message port links in a real browser (Debian's chromium through playwright-core): a page's node is
 * the parent of two Web Workers' nodes, one linked by a MessageChannel port, one by the Worker object
 * and the worker's global scope; states cross both ways, and a terminated worker is noticed by the
 * links' keep-alive (a browser tells no one).
 */
import { build } from "esbuild";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";

let browser: Browser;
let server: Server;
let url: string;

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [new URL(entry, import.meta.url).pathname],
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

beforeAll(async () => {
  const [page, worker, launched] = await Promise.all([
    bundle("./port-page.ts"),
    bundle("./port-worker.ts"),
    chromium.launch({ executablePath: "/usr/bin/chromium" }),
  ]);
  browser = launched;
  const files: Record<string, [string, string]> = {
    "/": ["text/html", '<!doctype html><html><body><script src="page.js"></script></body></html>'],
    "/page.js": ["text/javascript", page],
    "/worker.js": ["text/javascript", worker],
  };
  server = createServer((request, response) => {
    const file = files[new URL(request.url ?? "/", "http://localhost").pathname];
    response.writeHead(file === undefined ? 404 : 200, { "content-type": file?.[0] ?? "text/plain" });
    response.end(file?.[1] ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

it("links a page and two Web Workers by ports, both ways, and notices a terminated worker by keep-alive", async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(8000);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  const dataset = (key: string): Promise<string | undefined> => page.evaluate((name) => document.body.dataset[name], key);

  await expect.poll(() => dataset("channel"), { timeout: 8000 }).toBe("the channel worker saw: hello workers");
  await expect.poll(() => dataset("direct"), { timeout: 8000 }).toBe("the direct worker saw: hello workers");
  expect(await dataset("links")).toBe("2");

  await page.evaluate(() => (globalThis as unknown as { terminateChannelWorker(): void }).terminateChannelWorker());
  await expect.poll(() => dataset("channel"), { timeout: 8000 }).toBe("the channel worker saw: hello workers (unsynchronized)");
  await expect.poll(() => dataset("links"), { timeout: 8000 }).toBe("1");
  expect(await dataset("direct")).toBe("the direct worker saw: hello workers");
  expect(errors).toEqual([]);
  await page.close();
});
