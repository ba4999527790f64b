import { resolveBindingLimits } from "../../../bindings/limits.js";
import { dialWs } from "../../../transports/node/ws-dial.js";
import type { LocalNode } from "../../local-node/local-node.js";
import { connect as connectWith, type ConnectOptions, type Upstream } from "../connect.js";
import { parseWebSocketUrl } from "../websocket-url.js";

/**
 * Links `node` to a parent listening at `url`, like the browser-safe `connect`, but dialing with the
 * `ws` package unless `options.WebSocket` or `options.dial` says otherwise (Node 20 has no global
 * WebSocket). Dialing with `ws` also tells a web server's HTTP answer apart (NotAHakubanListenerError),
 * and refuses a WebSocket message larger than the binding's `maxMessageBytes` (from `options.mux`)
 * before buffering it, so a parent cannot make the child hold more than one valid message.
 * Throws at once as the browser-safe `connect` does (a TypeError for a malformed URL, NodeClosedError,
 * UpstreamExistsError), and BindingOptionsError for invalid `mux.limits`.
 */
export function connect(node: LocalNode, url: string, options: ConnectOptions = {}): Upstream {
  if (options.dial !== undefined || options.WebSocket !== undefined) return connectWith(node, url, options);
  parseWebSocketUrl(url);
  const maxPayload = resolveBindingLimits(options.mux?.limits).maxMessageBytes;
  const { dialTimeoutMs } = options;
  return connectWith(node, url, {
    ...options,
    dial: (target, signal) =>
      dialWs(target, { signal, maxPayload, ...(dialTimeoutMs === undefined ? {} : { timeoutMs: dialTimeoutMs }) }),
  });
}
