import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, expect, it } from "vitest";
import { packageVersion } from "../../lib/router/package-version.js";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** An installed package laid out as npm puts it: package.json at the top, the CLI under dist/lib/router/. */
function installed(manifests: Record<string, object>): string {
  const top = mkdtempSync(join(tmpdir(), "hakuban-version-"));
  folders.push(top);
  mkdirSync(join(top, "dist", "lib", "router"), { recursive: true });
  for (const [path, manifest] of Object.entries(manifests)) writeFileSync(join(top, path), JSON.stringify(manifest));
  return top;
}

it("reads the version of the hakuban package.json above the module, from the source tree", () => {
  expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
});

it("finds it from dist/ too, skipping package.json files of other packages on the way", () => {
  const top = installed({ "package.json": { name: "hakuban", version: "9.8.7" }, "dist/package.json": { type: "module" } });
  expect(packageVersion(pathToFileURL(join(top, "dist", "lib", "router", "router-cli.js")))).toBe("9.8.7");
});

it("says so when there is none", () => {
  const top = installed({ "package.json": { name: "something-else", version: "1.0.0" } });
  expect(() => packageVersion(pathToFileURL(join(top, "dist", "lib", "router", "router-cli.js")))).toThrow(/No package\.json of hakuban above/);
});
