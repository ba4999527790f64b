import type { Upstream } from "../net/connect.js";
import type { ConnectionLog } from "../net/connection-log.js";
import { type Listener, listen } from "../net/node/listen.js";
import { LocalNode } from "../local-node/local-node.js";
import { connect } from "../net/node/connect.js";
import type { RouterLogLevel, RouterOptions } from "./router-options.js";

/** Where a router's log lines go, with their level. */
export type RouterLog = (level: RouterLogLevel, line: string) => void;

/** A running router: a node with a listener and, unless it is the root, an upstream. */
export interface Router {
  readonly node: LocalNode;
  readonly listener: Listener;
  readonly upstream: Upstream | undefined;
  /** Closes the upstream, the listener (every child link) and the node. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts what `hakuban-router` runs: a node listening at `options.bind`, linked to `options.connect`
 * when given, logging one line per connection event (floods summed up) and holding its listener to
 * the connection and link limits of `options`. Rejects with ListenError when it cannot bind
 * (its `systemCode` and message say whether the address is in use, not of this machine, or not found).
 */
export async function startRouter(options: RouterOptions, log: RouterLog): Promise<Router> {
  const node = new LocalNode({ name: options.name });
  const connectionLog: ConnectionLog = (line, severity) => log(severity ?? "info", line);
  let listener: Listener;
  try {
    listener = await listen(node, {
      host: options.bind.host,
      port: options.bind.port,
      ...(options.bind.path === undefined ? {} : { path: options.bind.path }),
      ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
      ...(options.maxPendingUpgrades === undefined ? {} : { maxPendingUpgrades: options.maxPendingUpgrades }),
      ...(options.upgradeTimeoutMs === undefined ? {} : { upgradeTimeoutMs: options.upgradeTimeoutMs }),
      ...(options.helloTimeoutMs === undefined ? {} : { helloTimeoutMs: options.helloTimeoutMs }),
      ...(options.linkLimits === undefined ? {} : { linkLimits: options.linkLimits }),
      log: connectionLog,
    });
  } catch (error) {
    await node.close();
    throw error;
  }
  const parent = options.connect;
  const upstream = parent === undefined ? undefined : connect(node, parent, { log: connectionLog });
  let closing: Promise<void> | undefined;
  return {
    node,
    listener,
    upstream,
    close: () =>
      (closing ??= (async () => {
        await upstream?.close();
        await listener.close();
        await node.close();
      })()),
  };
}
