import type { SessionMuxStats } from "../../bindings/session-mux-stats.js";
import type { LinkLimitEvent } from "../sync/link-limits.js";
import type { ConnectionLog } from "./connection-log.js";
import { counted, type LogKind, type LogRateLimit, LogRateLimiter } from "./log-rate-limiter.js";
import { describeTraffic } from "./traffic-summary.js";

/**
 * The lines a parent's listener (`listen`, `listenPorts`) writes about its child links. Every line a
 * peer can cause (a link made or ended, a timeout, a limit, the link drivers' own lines) goes through
 * one LogRateLimiter, each event kind on its own budget, so a flood of connections writes a few lines
 * and a summary per interval instead of a line per connection. Each line names its peer by the address
 * captured when it connected.
 */
export class ChildLinkLog {
  readonly #log: ConnectionLog;
  readonly #limiter: LogRateLimiter;
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
  constructor(log: ConnectionLog, limit: LogRateLimit, helloTimeoutMs: number) {
    this.#log = log;
    this.#limiter = new LogRateLimiter(log, limit);
    this.#helloTimeoutMs = helloTimeoutMs;
    this.#helloTimeout = {
      severity: "warn",
      summary: (n) => `dropped ${counted(n, "connection")} that sent no Hello within ${helloTimeoutMs} ms (helloTimeoutMs)`,
    };
  }

  /** A line no peer can cause (the listener started or stopped): written as is, at info. */
  note(line: string): void {
    this.#log(line, "info");
  }

  /** A connection was accepted and waits for its Hello. */
  accepted(peer: string): void {
    this.write(this.#accepted, `accepted ${peer}`);
  }

  /** A child introduced itself and was welcomed. */
  linked(name: string, peer: string): void {
    this.write(this.#linked, `child "${name}" linked (${peer})`);
  }

  /** A connection was dropped because it sent no Hello in time. */
  helloTimedOut(peer: string): void {
    this.write(this.#helloTimeout, `child ${peer} disconnected: no Hello within ${this.#helloTimeoutMs} ms (helloTimeoutMs)`);
  }

  /** A link ended: cleanly (`error` undefined) or with an error. `who` names the child and its peer. */
  ended(who: string, error: Error | undefined): void {
    if (error === undefined) this.write(this.#closed, `child ${who} closed`);
    else this.write(this.#disconnected, `child ${who} disconnected: ${error.message}`);
  }

  /** What an ended connection carried. */
  traffic(who: string, stats: SessionMuxStats): void {
    this.write(this.#traffic, `child ${who}: the connection carried ${describeTraffic(stats)}`);
  }

  /** A child's request was refused over one of its link's limits, or its link is congested. `who` names the child and its peer. */
  overLimit(who: string, event: LinkLimitEvent): void {
    const name = `${event.limit} (${event.value})`;
    let kind = this.#overLimit.get(name);
    if (kind === undefined) {
      kind = { severity: "warn", summary: (n) => `children went over ${name} ${counted(n, "time")}` };
      this.#overLimit.set(name, kind);
    }
    this.write(kind, `child ${who} over ${name}: ${event.what}`);
  }

  /** A child broke one of its object sessions (which ended; the link stays). `who` names the child and its peer. */
  violation(who: string, what: string): void {
    this.write(this.#violation, `child ${who} broke the session of ${what}`);
  }

  /** One of the link drivers' own lines (who welcomed whom, why a child left). */
  link(line: string): void {
    this.write(this.#link, line);
  }

  /** Writes the pending summaries and stops the limiter's timers. */
  close(): void {
    this.#limiter.close();
  }

  /** Writes `line` of `kind` under the rate limit; for the lines a listener adds of its own. */
  protected write(kind: LogKind, line: string): void {
    this.#limiter.write(kind, line);
  }
}
