/**
 * How the inspector page gets in (in Debian's chromium through playwright-core): a router without a
 * monitor tag makes it say how to turn monitoring on; a router that authenticates makes it ask for a
 * token, say why when the router refuses one, and link with a good one, given in the form or in the
 * URL's fragment (which it then removes from the address bar); a policy that denies the monitor tag
 * makes it say so.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT } from "jose";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeInspectorPage } from "../../inspector/inspector-bundle.js";
import type { RouterOptions } from "../../lib/router/router-options.js";
import { startRouter } from "../../lib/router/router.js";

const SECRET = "a secret of at least thirty-two bytes, for the test";
const cleanup: Array<() => unknown> = [];
let browser: Browser;

beforeAll(async () => {
  [browser] = await Promise.all([chromium.launch({ executablePath: "/usr/bin/chromium" }), writeInspectorPage()]);
});

afterAll(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  await browser?.close();
});

async function router(options: Partial<RouterOptions>): Promise<string> {
  const started = await startRouter({ bind: { host: "127.0.0.1", port: 0 }, name: "root", logLevel: "error", ...options }, () => {});
  cleanup.push(() => started.close());
  return `http://127.0.0.1:${started.listener.port}/`;
}

async function openPage(url: string): Promise<Page> {
  const page = await browser.newPage();
  cleanup.push(() => page.close());
  page.setDefaultTimeout(8000);
  await page.goto(url);
  return page;
}

it("says how to turn monitoring on when the router has no monitor tag", async () => {
  const page = await openPage(await router({}));
  await expect.poll(() => page.locator(".notice").textContent()).toContain("hakuban-router --monitor-tag");
  expect(await page.locator(".status").getAttribute("data-status")).toBe("idle");
});

/** A folder for a router's files, removed after the tests. */
function folder(): string {
  const path = mkdtempSync(join(tmpdir(), "hakuban-inspector-"));
  cleanup.push(() => rmSync(path, { recursive: true, force: true }));
  return path;
}

function secretFile(): string {
  const path = join(folder(), "secret");
  writeFileSync(path, SECRET);
  return path;
}

function jwt(claims: Record<string, string> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject("operator").sign(new TextEncoder().encode(SECRET));
}

it("asks for a token where the router authenticates, says why one was refused, and links with a good one", async () => {
  const url = await router({ jwtSecretFile: secretFile(), monitorTag: "monitor", monitorIntervalMs: 100 });
  const token = await jwt();

  const page = await openPage(url);
  const form = page.locator("form.token-form");
  await form.locator("input").fill("not a token");
  await form.locator("button").click();
  await expect.poll(() => form.locator(".form-reason").textContent()).not.toBe("");
  await form.locator("input").fill(token);
  await form.locator("button").click();
  await page.locator('#tree [data-node="root"]').waitFor();
  expect(await page.locator(".status").getAttribute("data-status")).toBe("connected");

  // In a fresh tab, the token comes in the fragment: taken, kept for the tab, and gone from the address bar.
  const fresh = await openPage(`${url}#token=${token}`);
  await fresh.locator('#tree [data-node="root"]').waitFor();
  expect(new URL(fresh.url()).hash).toBe("");
  await fresh.reload();
  await fresh.locator('#tree [data-node="root"]').waitFor();
});

it("says when the router's policy denies observing the monitor tag", async () => {
  const policyFile = join(folder(), "policy.json");
  writeFileSync(policyFile, JSON.stringify({ rules: [{ principal: { role: "viewer" }, observe: [{ tag: "sensors" }] }] }));
  const url = await router({ jwtSecretFile: secretFile(), policyFile, monitorTag: "monitor", monitorIntervalMs: 100 });
  const page = await openPage(`${url}#token=${await jwt({ role: "viewer" })}`);
  await expect.poll(() => page.locator(".notice h2").textContent()).toBe("The router's policy denies observing the monitor tag");
  expect(await page.locator(".status").getAttribute("data-status")).toBe("connected");
});
