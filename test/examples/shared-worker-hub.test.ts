/**
 * examples/shared-worker-hub in Chromium: two pages of one origin link their nodes to the same
 * SharedWorker hub; a click in one shows in the other, and a closed tab leaves the other's list.
 * Saves test-results/shared-worker-hub.png.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type HubExample, serveHubExample } from "../../examples/shared-worker-hub/serve.js";

const WAIT = { timeout: 8000 } as const;
let browser: Browser;
let example: HubExample;

beforeAll(async () => {
  [browser, example] = await Promise.all([chromium.launch({ executablePath: "/usr/bin/chromium" }), serveHubExample(0)]);
});

afterAll(async () => {
  await browser?.close();
  await example?.close();
});

/** The lines of the page's list of tabs. */
function tabs(page: Page): Promise<string[]> {
  return page.$$eval("#tabs li", (items) => items.map((item) => item.textContent ?? ""));
}

it("links two tabs through one SharedWorker hub: each sees the other's clicks, and a closed tab leaves", async () => {
  const context = await browser.newContext({ viewport: { width: 720, height: 360 } });
  const errors: string[] = [];
  const open = async (): Promise<{ page: Page; id: string }> => {
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(example.url);
    await page.locator('#status[data-status="connected"]').waitFor();
    return { page, id: (await page.locator("#me").textContent()) ?? "" };
  };
  const first = await open();
  const second = await open();

  await expect.poll(() => tabs(first.page), WAIT).toHaveLength(2);
  await first.page.click("#click");
  await first.page.click("#click");
  await second.page.click("#click");
  await expect.poll(() => tabs(second.page), WAIT).toEqual(
    [
      `tab ${first.id}: 2 clicks`,
      `tab ${second.id} (this tab): 1 click`,
    ].sort((a, b) => a.slice(4, 12).localeCompare(b.slice(4, 12))),
  );
  await expect.poll(() => tabs(first.page), WAIT).toContain(`tab ${first.id} (this tab): 2 clicks`);
  await expect.poll(() => tabs(first.page), WAIT).toContain(`tab ${second.id}: 1 click`);
  mkdirSync("test-results", { recursive: true });
  await second.page.screenshot({ path: "test-results/shared-worker-hub.png" });
  expect(errors).toEqual([]);
  await first.page.close();
  await expect.poll(() => tabs(second.page), WAIT).toEqual([`tab ${second.id} (this tab): 1 click`]);
  await context.close();
});

it("the README shows the example's hub as it is", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const hub = readFileSync(new URL("../../examples/shared-worker-hub/hub.ts", import.meta.url), "utf8");
  expect(readme).toContain("```ts\n" + hub + "```");
});
