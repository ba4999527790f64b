/**
 * hakuban for Node: everything of the browser-safe entry, plus `listen` (accept child nodes over
 * WebSocket), a `connect` that dials with `ws`, and `joinCluster` (root routers acting as one root
 * through Redis). In Node, `import … from "hakuban"` resolves here; `hakuban/node` is the same entry
 * by an explicit name.
 */
export * from "./index.js";
export { connect, type NodeConnectOptions } from "./net/node/connect.js";
export { listen, type Listener, type ListenOptions, type ListenerRefusals } from "./net/node/listen.js";
export type { LogRateLimit, LogTimers } from "./net/log-rate-limiter.js";
export type { LinkLimits } from "./sync/link-limits.js";
export type { RefusalReason } from "../transports/node/connection-refusal.js";
export { TlsOptionsError } from "../transports/node/tls-options-error.js";
export type { ListenerTls } from "../transports/node/ws-listener.js";
export type { DialTls } from "../transports/node/ws-dial.js";
export { joinCluster, type ClusterMembership, type ClusterOptions } from "./cluster/cluster-member.js";
export { ClusterJoinError } from "./cluster/cluster-join-error.js";
