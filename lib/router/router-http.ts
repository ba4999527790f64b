import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { InspectorConfig } from "./inspector-config.js";
import { readInspectorPage } from "./inspector-page.js";
import type { RouterMetrics } from "./router-metrics.js";

/** What the router's HTTP side serves. */
export interface RouterHttpOptions {
  /** `GET /metrics`. */
  readonly metrics: RouterMetrics;
  /** `GET /inspector.json`. */
  readonly inspector: InspectorConfig;
  /** The built inspector page served at `GET /` (see inspectorPageUrl). */
  readonly page: URL;
  /** Whether the router is serving (`GET /healthz` 200) or shutting down (503). */
  readonly serving: () => boolean;
}

/** Headers of every answer. */
const COMMON_HEADERS: OutgoingHttpHeaders = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
/** Headers of answers that must never be cached: they change from one request to the next. */
const NO_STORE: OutgoingHttpHeaders = { ...COMMON_HEADERS, "cache-control": "no-store" };

/**
 * The router's answers to plain HTTP requests on its WebSocket port (the listener's `onRequest`):
 * `GET /` the inspector page, `GET /inspector.json` what the page links with, `GET /metrics`
 * Prometheus text, `GET /healthz` 200 while serving and 503 once shutting down. Other paths are 404,
 * methods other than GET and HEAD 405. A failure while answering is answered 500 and never thrown.
 */
export function routerHttp(options: RouterHttpOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const routes: Readonly<Record<string, (response: ServerResponse) => void | Promise<void>>> = {
    "/": async (response) => {
      const page = await readInspectorPage(options.page);
      if (page === undefined) {
        text(response, 404, "The inspector page is not built: run `npm run build` (it writes dist/inspector/index.html).\n", NO_STORE);
        return;
      }
      answer(response, 200, page.html, {
        ...COMMON_HEADERS,
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-cache",
        "content-security-policy": page.contentSecurityPolicy,
      });
    },
    "/inspector.json": (response) => {
      answer(response, 200, `${JSON.stringify(options.inspector)}\n`, { ...NO_STORE, "content-type": "application/json; charset=utf-8" });
    },
    "/metrics": async (response) => {
      const metrics = await options.metrics.scrape();
      answer(response, 200, metrics, { ...NO_STORE, "content-type": options.metrics.contentType });
    },
    "/healthz": (response) => {
      if (options.serving()) text(response, 200, "ok\n", NO_STORE);
      else text(response, 503, "shutting down\n", NO_STORE);
    },
  };
  return (request, response) => {
    const path = (request.url ?? "/").split("?", 1)[0] ?? "/";
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route === undefined) {
      text(response, 404, `Nothing here: the router serves /, /inspector.json, /metrics and /healthz.\n`, COMMON_HEADERS);
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      text(response, 405, `${path} answers GET and HEAD only.\n`, { ...COMMON_HEADERS, allow: "GET, HEAD" });
      return;
    }
    void (async () => route(response))().catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else text(response, 500, `The router failed to answer: ${error instanceof Error ? error.message : String(error)}\n`, NO_STORE);
    });
  };
}

/** Answers `status` with `body` (Node leaves the body out for HEAD). */
function answer(response: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders): void {
  response.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body) }).end(body);
}

/** Answers `status` with a line of plain text. */
function text(response: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders): void {
  answer(response, status, body, { ...headers, "content-type": "text/plain; charset=utf-8" });
}
