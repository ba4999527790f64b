import { resolveBindingLimits } from "../../../bindings/limits.js";
import { type DialTls, dialWs } from "../../../transports/node/ws-dial.js";
import type { LocalNode } from "../../local-node/local-node.js";
import { connect as connectWith, type ConnectOptions, parentUrls, type Upstream } from "../connect.js";
import { parseWebSocketUrl } from "../websocket-url.js";

/** Options of the Node `connect`: those of the browser-safe one, and how to verify a `wss://` parent. */
export interface NodeConnectOptions extends ConnectOptions {
  /**
   * How to verify a `wss://` parent's certificate: `{ ca }` trusts that certificate authority (PEM)
   * instead of the system's, for a self-hosted router with a private CA. Verification is never turned off.
   */
  readonly tls?: DialTls;
}

/**
 * Links `node` to a parent listening at `url` (or to each of a list of parents in turn), like the
 * browser-safe `connect`, but dialing with the `ws` package unless `options.WebSocket` or
 * `options.dial` says otherwise (Node 20 has no global WebSocket). Dialing with `ws` also tells a web server's HTTP answer apart (NotAHakubanListenerError),
 * says when a `wss://` parent's certificate is not trusted (pass its CA as `tls.ca`) or a `ws://` dial
 * reached a TLS port, and refuses a WebSocket message larger than the binding's `maxMessageBytes`
 * (from `options.mux`) before buffering it, so a parent cannot make the child hold more than one valid
 * message. Throws at once as the browser-safe `connect` does (a TypeError for a malformed URL,
 * NodeClosedError, UpstreamExistsError), and BindingOptionsError for invalid `mux.limits`.
 */
export function connect(node: LocalNode, url: string | readonly string[], options: NodeConnectOptions = {}): Upstream {
  if (options.dial !== undefined || options.WebSocket !== undefined) return connectWith(node, url, options);
  for (const each of parentUrls(url)) parseWebSocketUrl(each);
  const maxPayload = resolveBindingLimits(options.mux?.limits).maxMessageBytes;
  const { dialTimeoutMs, tls } = options;
  return connectWith(node, url, {
    ...options,
    dial: (target, signal) =>
      dialWs(target, {
        signal,
        maxPayload,
        ...(dialTimeoutMs === undefined ? {} : { timeoutMs: dialTimeoutMs }),
        ...(tls === undefined ? {} : { tls }),
      }),
  });
}
