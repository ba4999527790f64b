import { readFileSync } from "node:fs";

/**
 * The version of the installed hakuban package, read from the first package.json named `hakuban` above
 * this module (two folders up from the source, three from dist/), so `hakuban --version` tells the truth
 * however the client was started. Throws when there is none.
 */
export function cliVersion(from: string | URL = import.meta.url): string {
  for (let folder = new URL(".", from); ; folder = new URL("..", folder)) {
    const manifest = readManifest(new URL("package.json", folder));
    if (manifest?.name === "hakuban" && typeof manifest.version === "string") return manifest.version;
    if (new URL("..", folder).href === folder.href) break;
  }
  throw new Error(`No package.json of hakuban above ${String(from)}; reinstall the package.`);
}

function readManifest(file: URL): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}
