import type { JsonValue } from "../descriptor/json-value.js";

/** How long the router may take to say its monitor tag. */
const ASK_TIMEOUT_MS = 5000;

/**
 * What a router said when asked for its monitor tag: the tag (null: it publishes no monitor object),
 * or why it could not be asked (not a router's port, unreachable, an answer that is not its configuration).
 */
export type RouterMonitorTag = { readonly tag: JsonValue | null } | { readonly failure: string };

/**
 * Asks the router at WebSocket `url` which tag it publishes its monitor objects under: `GET /inspector.json`
 * on the same host and port (http: for ws:, https: for wss:), whose `monitorTag` is its `--monitor-tag`.
 * Gives up after a few seconds, or when `signal` aborts. Never rejects.
 */
export async function askRouterMonitorTag(url: string, signal: AbortSignal): Promise<RouterMonitorTag> {
  const target = new URL("/inspector.json", url);
  target.protocol = target.protocol === "wss:" ? "https:" : "http:";
  try {
    const response = await fetch(target, { signal: AbortSignal.any([signal, AbortSignal.timeout(ASK_TIMEOUT_MS)]) });
    if (!response.ok) {
      await response.body?.cancel();
      return { failure: `${target.href} answered ${response.status}` };
    }
    const config = (await response.json()) as unknown;
    if (typeof config !== "object" || config === null || !Object.hasOwn(config, "monitorTag")) return { failure: `${target.href} has no monitorTag` };
    return { tag: (config as { monitorTag: JsonValue | null }).monitorTag };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return { failure: `${target.href}: ${error instanceof Error ? error.message : String(error)}${cause}` };
  }
}
