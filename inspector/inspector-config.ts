import type { JsonValue } from "../lib/index.js";
import type { InspectorConfig } from "../lib/router/inspector-config.js";
import { InspectorConfigError } from "./inspector-config-error.js";

/** Fetches and checks the page's configuration (what the router serves at `GET /inspector.json`) from the origin that served the page. */
export async function fetchInspectorConfig(fetcher: typeof fetch = fetch): Promise<InspectorConfig> {
  let response: Response;
  try {
    response = await fetcher("/inspector.json", { cache: "no-store" });
  } catch (error) {
    throw new InspectorConfigError("Could not reach the router for /inspector.json; check that it is running and reload the page.", { cause: error });
  }
  if (!response.ok) {
    throw new InspectorConfigError(`The router answered /inspector.json with HTTP ${response.status}; this page must be served by hakuban-router (GET /).`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new InspectorConfigError("The router's /inspector.json is not JSON; this page must be served by hakuban-router (GET /).", { cause: error });
  }
  return readInspectorConfig(body);
}

/** Checks the shape of `/inspector.json`'s body. */
export function readInspectorConfig(body: unknown): InspectorConfig {
  if (typeof body !== "object" || body === null || Array.isArray(body) || !("monitorTag" in body)) {
    throw new InspectorConfigError('The router\'s /inspector.json has no "monitorTag"; this page must be served by hakuban-router (GET /).');
  }
  const { monitorTag, path, authenticate } = body as { monitorTag: unknown; path?: unknown; authenticate?: unknown };
  return {
    monitorTag: monitorTag === undefined ? null : (monitorTag as JsonValue),
    path: typeof path === "string" && path.startsWith("/") ? path : "/",
    authenticate: authenticate === true,
  };
}

/** The router's WebSocket URL, on the page's own host, ws: or wss: as the page was served. */
export function routerUrl(config: InspectorConfig, location: Pick<Location, "protocol" | "host">): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${config.path}`;
}
