import type { SessionMuxStats } from "../../../bindings/session-mux-stats.js";
import type { ConnectionRefusal, RefusalReason } from "../../../transports/node/connection-refusal.js";
import type { LinkLimitEvent } from "../../sync/link-limits.js";
import type { ConnectionLog } from "../connection-log.js";
import { counted, type LogKind, type LogRateLimit, LogRateLimiter } from "../log-rate-limiter.js";
import { describeTraffic } from "../traffic-summary.js";

/** The limits a listener's summaries quote. */
export interface ListenerLogLimits {
  readonly maxConnections: number;
  readonly maxPendingUpgrades: number;
  readonly upgradeTimeoutMs: number;
  readonly helloTimeoutMs: number;
}

/**
 * The lines `listen` writes about its connections. Every line a peer can cause (a refusal, a timeout,
 * a link made or ended, the link drivers' own lines) goes through one LogRateLimiter, each event kind
 * on its own budget, so a flood of connections writes a few lines and a summary per interval instead
 * of a line per connection. Each line names its peer by the address captured when it connected.
 */
export class ListenerLog {
  readonly #log: ConnectionLog;
  readonly #limiter: LogRateLimiter;
  readonly #refused: Readonly<Record<RefusalReason, LogKind>>;
  readonly #accepted: LogKind = { severity: "debug", summary: (n) => `accepted ${counted(n, "connection")}` };
  readonly #linked: LogKind = { severity: "info", summary: (n) => `linked ${counted(n, "child", "children")}` };
  readonly #closed: LogKind = { severity: "info", summary: (n) => `${counted(n, "child", "children")} closed` };
  readonly #disconnected: LogKind = { severity: "warn", summary: (n) => `${counted(n, "connection")} ended with an error` };
  readonly #helloTimeout: LogKind;
  readonly #traffic: LogKind = { severity: "debug", summary: (n) => `the traffic of ${counted(n, "ended connection")}` };
  readonly #link: LogKind = { severity: "debug", summary: (n) => counted(n, "link driver line") };
  readonly #violation: LogKind = { severity: "warn", summary: (n) => `children broke ${counted(n, "object session")} (ended; their links stay)` };
  readonly #helloTimeoutMs: number;
  /** One kind per link limit, made when a child first goes over it. */
  readonly #overLimit = new Map<string, LogKind>();

  /** Throws RangeError for a bad rate limit. */
  constructor(log: ConnectionLog, limit: LogRateLimit, limits: ListenerLogLimits) {
    this.#log = log;
    this.#limiter = new LogRateLimiter(log, limit);
    this.#helloTimeoutMs = limits.helloTimeoutMs;
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
    this.#helloTimeout = {
      severity: "warn",
      summary: (n) => `dropped ${connections(n)} that sent no Hello within ${limits.helloTimeoutMs} ms (helloTimeoutMs)`,
    };
  }

  /** A line no peer can cause (the listener started or stopped): written as is, at info. */
  note(line: string): void {
    this.#log(line, "info");
  }

  /** The listener turned a connection away. */
  refused(refusal: ConnectionRefusal): void {
    this.#limiter.write(this.#refused[refusal.reason], `refused ${refusal.peer}: ${refusal.detail}`);
  }

  /** A WebSocket connection was accepted and waits for its Hello. */
  accepted(peer: string): void {
    this.#limiter.write(this.#accepted, `accepted ${peer}`);
  }

  /** A child introduced itself and was welcomed. */
  linked(name: string, peer: string): void {
    this.#limiter.write(this.#linked, `child "${name}" linked (${peer})`);
  }

  /** A connection was dropped because it sent no Hello in time. */
  helloTimedOut(peer: string): void {
    this.#limiter.write(this.#helloTimeout, `child ${peer} disconnected: no Hello within ${this.#helloTimeoutMs} ms (helloTimeoutMs)`);
  }

  /** A link ended: cleanly (`error` undefined) or with an error. `who` names the child and its peer. */
  ended(who: string, error: Error | undefined): void {
    if (error === undefined) this.#limiter.write(this.#closed, `child ${who} closed`);
    else this.#limiter.write(this.#disconnected, `child ${who} disconnected: ${error.message}`);
  }

  /** What an ended connection carried. */
  traffic(who: string, stats: SessionMuxStats): void {
    this.#limiter.write(this.#traffic, `child ${who}: the connection carried ${describeTraffic(stats)}`);
  }

  /** A child's request was refused over one of its link's limits, or its link is congested. `who` names the child and its peer. */
  overLimit(who: string, event: LinkLimitEvent): void {
    const name = `${event.limit} (${event.value})`;
    let kind = this.#overLimit.get(name);
    if (kind === undefined) {
      kind = { severity: "warn", summary: (n) => `children went over ${name} ${counted(n, "time")}` };
      this.#overLimit.set(name, kind);
    }
    this.#limiter.write(kind, `child ${who} over ${name}: ${event.what}`);
  }

  /** A child broke one of its object sessions (which ended; the link stays). `who` names the child and its peer. */
  violation(who: string, what: string): void {
    this.#limiter.write(this.#violation, `child ${who} broke the session of ${what}`);
  }

  /** One of the link drivers' own lines (who welcomed whom, why a child left). */
  link(line: string): void {
    this.#limiter.write(this.#link, line);
  }

  /** Writes the pending summaries and stops the limiter's timers. */
  close(): void {
    this.#limiter.close();
  }
}
