/**
 * Why a listener turned a connection away before it became a carrier, named after the option that
 * set the limit: too many WebSocket connections open (`maxConnections`), too many sockets still
 * waiting to upgrade (`maxPendingUpgrades`), no upgrade in time (`upgradeTimeoutMs`), or a request
 * that is not a valid WebSocket upgrade for this listener (`badRequest`: malformed HTTP, a wrong path,
 * missing WebSocket headers, a failed TLS handshake), or a browser page of an origin not allowed
 * (`allowedOrigins`).
 */
export type RefusalReason = "maxConnections" | "maxPendingUpgrades" | "upgradeTimeoutMs" | "badRequest" | "allowedOrigins";

/** One connection a listener turned away, for logs and counters. */
export interface ConnectionRefusal {
  readonly reason: RefusalReason;
  /** The peer as "ws://address:port" ("wss://…" over TLS), captured when its TCP connection was accepted. */
  readonly peer: string;
  /** What happened, in words, e.g. "answered 503: 10000 WebSocket connections are open (maxConnections)". */
  readonly detail: string;
}

/** How many connections a listener turned away since it started, by reason. */
export type RefusalCounts = Readonly<Record<RefusalReason, number>>;
