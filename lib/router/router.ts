import { joinCluster } from "../cluster/cluster-member.js";
import type { Upstream } from "../net/connect.js";
import type { ConnectionLog } from "../net/connection-log.js";
import { type Listener, listen } from "../net/node/listen.js";
import { LocalNode } from "../local-node/local-node.js";
import { connect } from "../net/node/connect.js";
import type { PolicyFile } from "./policy-file.js";
import type { RouterLogLevel, RouterOptions } from "./router-options.js";
import { inspectorConfig } from "./inspector-config.js";
import { inspectorPageUrl } from "./inspector-page.js";
import { packageVersion } from "./package-version.js";
import { routerHttp } from "./router-http.js";
import { routerMetrics } from "./router-metrics.js";
import { openParentTrust } from "./router-parent-trust.js";
import { readOptionFile } from "./option-file.js";
import { openRouterTrust } from "./router-trust.js";

/** Where a router's log lines go, with their level. */
export type RouterLog = (level: RouterLogLevel, line: string) => void;

/** What `startRouter` takes besides the command line's options. */
export interface RouterInternals {
  /** The inspector page served at `GET /` (default: the one `npm run build` writes, see inspectorPageUrl). */
  readonly inspectorPage?: URL;
}

/** A running router: a node with a listener and, unless it is the root, an upstream. */
export interface Router {
  readonly node: LocalNode;
  readonly listener: Listener;
  readonly upstream: Upstream | undefined;
  /** The policy file followed (`--policy`); `reload()` is what SIGHUP does. */
  readonly policyFile: PolicyFile | undefined;
  /**
   * Closes the upstream, the listener (every child link), the node, and the policy file and audit log;
   * from its start `GET /healthz` answers 503. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts what `hakuban-router` runs: a node listening at `options.bind` (over TLS with `options.tls`),
 * answering plain HTTP on the same port (the inspector page, metrics, health: see routerHttp),
 * publishing its monitor object under `options.monitorTag` when given, linked to `options.connect` when given
 * (or joined to the cluster of roots sharing the Redis of `options.cluster`) (with the token of `options.tokenFile`, verifying a `wss://`
 * parent with `options.caFile`), logging one line per connection event (floods summed up),
 * holding its listener to the connection and link limits of `options` and to its trust options
 * (allowed origins, JWT authentication, the policy file followed as it changes, the audit log).
 * Rejects with ListenError when it cannot bind (its `systemCode` and message say whether the address
 * is in use, not of this machine, or not found), RouterFileError when a TLS, JWT secret, token or CA
 * file cannot be read or used, PolicyFileError for a policy file that cannot be read or does not validate.
 */
export async function startRouter(options: RouterOptions, log: RouterLog, internals: RouterInternals = {}): Promise<Router> {
  const parentTrust = await openParentTrust(options);
  const clusterCa = options.clusterCaFile === undefined ? undefined : await readOptionFile("--cluster-ca-file", "the cluster Redis' certificate authority", options.clusterCaFile);
  let listener: Listener | undefined;
  const trust = await openRouterTrust(options, log, (policy) => listener?.setPolicy(policy, options.policyFile));
  const node = new LocalNode({ name: options.name });
  const connectionLog: ConnectionLog = (line, severity) => log(severity ?? "info", line);
  const metrics = routerMetrics({ totals: () => node.monitor.totals(), name: options.name, version: packageVersion() });
  let closing: Promise<void> | undefined;
  const onHttpRequest = routerHttp({
    metrics,
    inspector: inspectorConfig(options),
    page: internals.inspectorPage ?? inspectorPageUrl(),
    serving: () => closing === undefined,
  });
  try {
    listener = await listen(node, {
      ...trust.listen,
      host: options.bind.host,
      port: options.bind.port,
      ...(options.bind.path === undefined ? {} : { path: options.bind.path }),
      ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
      ...(options.maxPendingUpgrades === undefined ? {} : { maxPendingUpgrades: options.maxPendingUpgrades }),
      ...(options.upgradeTimeoutMs === undefined ? {} : { upgradeTimeoutMs: options.upgradeTimeoutMs }),
      ...(options.helloTimeoutMs === undefined ? {} : { helloTimeoutMs: options.helloTimeoutMs }),
      ...(options.linkLimits === undefined ? {} : { linkLimits: options.linkLimits }),
      ...(options.monitorTag === undefined ? {} : { monitorTag: options.monitorTag }),
      ...(options.monitorIntervalMs === undefined ? {} : { monitorIntervalMs: options.monitorIntervalMs }),
      onHttpRequest,
      log: connectionLog,
    });
    // A change of the policy file while the listener started is taken now.
    const policy = trust.policyFile?.policy;
    if (policy !== undefined && policy !== trust.listen.policy) listener.setPolicy(policy, options.policyFile);
  } catch (error) {
    metrics.close();
    await node.close();
    await trust.close();
    throw error;
  }
  const started = listener;
  const parent = options.connect;
  const upstream = parent === undefined ? undefined : connect(node, parent, { ...parentTrust, log: connectionLog });
  if (options.cluster !== undefined) {
    joinCluster(node, {
      url: options.cluster,
      ...(options.clusterLeaseMs === undefined ? {} : { leaseMs: options.clusterLeaseMs }),
      ...(clusterCa === undefined ? {} : { tls: { ca: clusterCa } }),
      log: (line) => log("info", line),
    });
  }
  return {
    node,
    listener: started,
    upstream,
    policyFile: trust.policyFile,
    close: () =>
      (closing ??= (async () => {
        await upstream?.close();
        await started.close();
        await node.close();
        await trust.close();
        metrics.close();
      })()),
  };
}
