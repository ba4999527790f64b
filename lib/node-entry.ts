/**
 * hakuban for Node (`hakuban/node`): everything of the browser-safe entry, plus `listen` (accept child
 * nodes over WebSocket) and a `connect` that dials with `ws` (Node 20 has no global WebSocket).
 */
import { dialWs } from "../transports/ws-dial.js";
import { connect as connectWith, type ConnectOptions, type Upstream } from "./connect.js";
import type { LocalNode } from "./local-node.js";

export * from "./index.js";
export { listen, type Listener, type ListenOptions } from "./listen.js";

/**
 * Links `node` to a parent listening at `url`, like the browser-safe `connect`, but dialing with the
 * `ws` package unless `options.WebSocket` or `options.dial` says otherwise.
 */
export function connect(node: LocalNode, url: string, options: ConnectOptions = {}): Upstream {
  if (options.dial !== undefined || options.WebSocket !== undefined) return connectWith(node, url, options);
  const { dialTimeoutMs } = options;
  return connectWith(node, url, {
    ...options,
    dial: (target, signal) => dialWs(target, { signal, ...(dialTimeoutMs === undefined ? {} : { timeoutMs: dialTimeoutMs }) }),
  });
}
