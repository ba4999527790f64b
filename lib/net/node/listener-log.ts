import type { ConnectionRefusal, RefusalReason } from "../../../transports/node/connection-refusal.js";
import { ChildLinkLog } from "../child-link-log.js";
import type { ConnectionLog } from "../connection-log.js";
import { counted, type LogKind, type LogRateLimit } from "../log-rate-limiter.js";

/** The limits a listener's summaries quote. */
export interface ListenerLogLimits {
  readonly maxConnections: number;
  readonly maxPendingUpgrades: number;
  readonly upgradeTimeoutMs: number;
  readonly helloTimeoutMs: number;
}

/**
 * The lines `listen` writes about its connections: those of every child link (ChildLinkLog), and the
 * WebSocket listener's refusals, each reason on its own budget of the same rate limit.
 */
export class ListenerLog extends ChildLinkLog {
  readonly #refused: Readonly<Record<RefusalReason, LogKind>>;

  /** Throws RangeError for a bad rate limit. */
  constructor(log: ConnectionLog, limit: LogRateLimit, limits: ListenerLogLimits) {
    super(log, limit, limits.helloTimeoutMs);
    const connections = (n: number): string => counted(n, "connection");
    this.#refused = {
      maxConnections: {
        severity: "warn",
        summary: (n) => `refused ${connections(n)} over maxConnections (${limits.maxConnections}) with 503`,
      },
      maxPendingUpgrades: {
        severity: "warn",
        summary: (n) => `closed ${connections(n)} at once over maxPendingUpgrades (${limits.maxPendingUpgrades})`,
      },
      upgradeTimeoutMs: {
        severity: "warn",
        summary: (n) => `closed ${connections(n)} that sent no WebSocket upgrade within ${limits.upgradeTimeoutMs} ms (upgradeTimeoutMs)`,
      },
      badRequest: { severity: "warn", summary: (n) => `refused ${counted(n, "bad upgrade request")}` },
      allowedOrigins: { severity: "warn", summary: (n) => `refused ${counted(n, "upgrade")} from origins not in allowedOrigins with 403` },
    };
  }

  /** The listener turned a connection away. */
  refused(refusal: ConnectionRefusal): void {
    this.write(this.#refused[refusal.reason], `refused ${refusal.peer}: ${refusal.detail}`);
  }
}
