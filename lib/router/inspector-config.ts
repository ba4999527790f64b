import type { JsonValue } from "../descriptor/json-value.js";
import type { RouterOptions } from "./router-options.js";

/**
 * What the inspector page needs to link back to the router that served it, served at
 * `GET /inspector.json`: the tag to observe, the WebSocket path, and whether it must ask for a token.
 */
export interface InspectorConfig {
  /** The router's monitor tag (`--monitor-tag`), or null when it publishes no monitor object. */
  readonly monitorTag: JsonValue | null;
  /** The URL path WebSocket links are accepted on ("/" when any). */
  readonly path: string;
  /** Whether links must bring a token (the router authenticates them: `--jwt-secret-file`). */
  readonly authenticate: boolean;
}

/** The inspector's configuration for a router started with `options`. */
export function inspectorConfig(options: RouterOptions): InspectorConfig {
  return {
    monitorTag: options.monitorTag ?? null,
    path: options.bind.path ?? "/",
    authenticate: options.jwtSecretFile !== undefined,
  };
}
