/**
 * The inspector page in a real browser (Debian's chromium through playwright-core): served by a router
 * with a monitor tag at the root of a small tree (a child router, a client exposing through it, a client
 * observing at the root), it shows the real nodes, links and objects, sorts the links, filters the
 * objects, and comes back by itself after the root router restarts on the same port. A screenshot is
 * saved as test-results/inspector.png.
 */
import { mkdirSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeInspectorPage } from "../../inspector/inspector-bundle.js";
import { connect, LocalNode } from "../../lib/node-entry.js";
import type { RouterOptions } from "../../lib/router/router-options.js";
import { type Router, startRouter } from "../../lib/router/router.js";

const MONITOR = { monitorTag: "monitor", monitorIntervalMs: 100 } as const;
const quiet = () => {};
const cleanup: Array<() => Promise<unknown>> = [];
let browser: Browser;

function routerOptions(name: string, port: number, parent?: string): RouterOptions {
  return { bind: { host: "127.0.0.1", port }, name, logLevel: "error", ...MONITOR, ...(parent === undefined ? {} : { connect: parent }) };
}

beforeAll(async () => {
  [browser] = await Promise.all([chromium.launch({ executablePath: "/usr/bin/chromium" }), writeInspectorPage()]);
});

afterAll(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  await browser?.close();
});

/** The text of each cell of each body row of the table in `section`. */
function tableRows(page: Page, section: string): Promise<string[][]> {
  return page.$$eval(`#${section} tbody tr:not(.empty)`, (rows) => rows.map((row) => [...row.querySelectorAll("td")].map((cell) => cell.textContent ?? "")));
}

it("shows a live tree's nodes, links and objects, sorts and filters them, and follows the root's restart", async () => {
  let root: Router = await startRouter(routerOptions("root", 0), quiet);
  const port = root.listener.port;
  cleanup.push(() => root.close());
  const edge = await startRouter(routerOptions("edge", 0, `ws://127.0.0.1:${port}/`), quiet);
  cleanup.push(() => edge.close());

  const sensor = new LocalNode({ name: "sensor" });
  cleanup.push(() => sensor.close());
  connect(sensor, edge.listener.url);
  sensor.object(["sensors"], { room: "kitchen" }).expose().set({ celsius: 21.5 });
  // Snapshots carry what any node names: a descriptor written as markup must show as text.
  const markup = '<img src="x" onerror="document.body.dataset.injected = 1">';
  sensor.object(["sensors"], { room: markup }).expose().set({ celsius: 0 });
  const dashboard = new LocalNode({ name: "dashboard" });
  cleanup.push(() => dashboard.close());
  connect(dashboard, `ws://127.0.0.1:${port}/`);
  dashboard.object(["sensors"], { room: "kitchen" }).observe();
  dashboard.object(["sensors"], { room: markup }).observe();

  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  cleanup.push(() => page.close());
  page.setDefaultTimeout(8000); // a step that never happens fails naming itself, within the test's time
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  // The router serves the page with a strict Content-Security-Policy: the page must need nothing it forbids.
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
  });
  await page.goto(`http://127.0.0.1:${port}/`);

  // The tree: both routers publish; the root's links are the child router, the dashboard and the page itself.
  await page.locator('#tree [data-node="edge"]').waitFor();
  await expect.poll(async () => (await tableRows(page, "links")).map((row) => row[0]).sort()).toEqual(["dashboard", "edge", "inspector"]);
  await expect.poll(async () => (await tableRows(page, "objects")).map((row) => row[0])).toContain('{"room":"kitchen"} #"sensors"');
  const kitchen = (await tableRows(page, "objects")).find((row) => row[0] === '{"room":"kitchen"} #"sensors"')!;
  expect(kitchen[1]).toBe("edge"); // elected: the sensor, behind the link to the child router
  expect(await page.locator(".status").getAttribute("data-status")).toBe("connected");
  await expect.poll(async () => (await tableRows(page, "objects")).map((row) => row[0])).toContain(`${JSON.stringify({ room: markup })} #"sensors"`);
  expect(await page.locator("#objects img").count()).toBe(0);

  // Sorting: the links are by name; a click on Name sorts them the other way.
  const nameHeader = page.locator("#links th", { hasText: "Name" });
  expect(await nameHeader.getAttribute("aria-sort")).toBe("ascending");
  await nameHeader.click();
  expect(await nameHeader.getAttribute("aria-sort")).toBe("descending");
  expect((await tableRows(page, "links")).map((row) => row[0])).toEqual(["inspector", "edge", "dashboard"]);

  // Filtering: only the objects whose descriptor holds the text.
  await page.locator("#objects input.filter").fill("kitchen");
  await expect.poll(async () => (await tableRows(page, "objects")).map((row) => row[0])).toEqual(['{"room":"kitchen"} #"sensors"']);
  await page.locator("#objects input.filter").fill("nothing like this");
  await expect.poll(() => tableRows(page, "objects")).toEqual([]);
  await page.locator("#objects input.filter").fill("");

  // Selecting the child router (in the tree, or in the header's selector) shows its links: the sensor.
  await page.locator('#tree [data-node="edge"]').click();
  await expect.poll(async () => (await tableRows(page, "links")).map((row) => row[0])).toEqual(["sensor"]);
  await page.locator('#tree [data-node="root"]').click();
  await expect.poll(async () => (await tableRows(page, "links")).length).toBe(3);
  await page.locator("select.node-selector").selectOption({ label: "edge" });
  await expect.poll(async () => (await tableRows(page, "links")).map((row) => row[0])).toEqual(["sensor"]);
  await page.locator("select.node-selector").selectOption({ label: "root" });

  // The root restarts on the same port: the page redials, and the new root's snapshots come back.
  const oldInstance = root.node.snapshot().instance;
  await root.close();
  // While the root is down, the last snapshots stay in view, dimmed.
  await page.locator(`.content.stale #tree [data-node="root"][data-instance="${oldInstance}"]`).waitFor();
  expect(await page.locator(".status").getAttribute("data-status")).not.toBe("connected");
  root = await startRouter(routerOptions("root", port), quiet);
  const newInstance = root.node.snapshot().instance;
  expect(newInstance).not.toBe(oldInstance);
  await page.locator(`#tree [data-node="root"][data-instance="${newInstance}"]`).waitFor();
  await page.locator('#tree [data-node="edge"]').waitFor();
  await expect.poll(async () => (await tableRows(page, "links")).map((row) => row[0]).sort()).toEqual(["dashboard", "edge", "inspector"]);
  await expect.poll(() => page.locator(".status").getAttribute("data-status")).toBe("connected");
  expect(await page.locator(".content").getAttribute("class")).toBe("content");

  mkdirSync("test-results", { recursive: true });
  await page.screenshot({ path: "test-results/inspector.png", fullPage: true });
  expect(pageErrors).toEqual([]);
});
