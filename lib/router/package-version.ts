import { readFileSync } from "node:fs";

/** The package.json that names this package (`hakuban`). */
const PACKAGE_NAME = "hakuban";

/**
 * The version of the installed hakuban package, read at run time from the package.json above this
 * module (two folders up from the source, three from dist/), so `--version` tells the truth however
 * hakuban-router or hakuban was started. Throws when no such package.json is found.
 */
export function packageVersion(from: string | URL = import.meta.url): string {
  for (let folder = new URL(".", from), parent = new URL("..", folder); ; folder = parent, parent = new URL("..", folder)) {
    const manifest = readManifest(new URL("package.json", folder));
    if (manifest?.name === PACKAGE_NAME && typeof manifest.version === "string") return manifest.version;
    if (parent.href === folder.href) break;
  }
  throw new Error(`No package.json of ${PACKAGE_NAME} above ${String(from)}; reinstall the package.`);
}

function readManifest(file: URL): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}
