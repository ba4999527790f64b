import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

/** The built inspector page as the router serves it at `GET /`. */
export interface InspectorPage {
  readonly html: string;
  /**
   * The page's Content-Security-Policy: nothing but its own inline scripts and styles (allowed by their
   * SHA-256 hashes, so nothing injected runs), WebSocket and fetch back to the router, and no framing.
   */
  readonly contentSecurityPolicy: string;
}

/**
 * Where `npm run build` writes the inspector page, seen from the router's module at `moduleUrl`: from
 * the built package (`dist/lib/router/`) it is `dist/inspector/index.html` two folders up; from the
 * source tree (`lib/router/`), the same file under the checkout's `dist/`.
 */
export function inspectorPageUrl(moduleUrl: string | URL = import.meta.url): URL {
  const built = /\/dist\/lib\/router\/[^/]*$/.test(new URL(moduleUrl).pathname);
  return new URL(built ? "../../inspector/index.html" : "../../dist/inspector/index.html", moduleUrl);
}

/**
 * Reads the inspector page at `url` and derives its Content-Security-Policy; undefined when there is no
 * such file (the page is not built). Rejects when the file exists but cannot be read.
 */
export async function readInspectorPage(url: URL): Promise<InspectorPage | undefined> {
  let html: string;
  try {
    html = await readFile(url, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return { html, contentSecurityPolicy: inspectorContentSecurityPolicy(html) };
}

/**
 * The Content-Security-Policy of a self-contained page: each inline `<script>` and `<style>` element
 * is allowed by the hash of its text (external ones, event-handler and style attributes are not),
 * connections go only to the page's own origin and to WebSocket URLs, images only from the page's
 * origin and data URLs, and nothing else loads; the page may not be framed, nor set a base URL or
 * submit forms.
 */
export function inspectorContentSecurityPolicy(html: string): string {
  const sources = (element: "script" | "style"): string => {
    const hashes = [...html.matchAll(new RegExp(`<${element}(?:\\s[^>]*)?>([^]*?)</${element}\\s*>`, "gi"))].map(
      (match) => `'sha256-${createHash("sha256").update(match[1] ?? "", "utf8").digest("base64")}'`,
    );
    return hashes.length === 0 ? "'none'" : [...new Set(hashes)].join(" ");
  };
  return [
    "default-src 'none'",
    `script-src ${sources("script")}`,
    `style-src ${sources("style")}`,
    "connect-src 'self' ws: wss:",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
