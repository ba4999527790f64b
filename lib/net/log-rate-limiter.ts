import type { ConnectionLog } from "./connection-log.js";

/** The timer functions a LogRateLimiter uses; injectable so tests can end intervals at will. */
export interface LogTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** How many lines of one kind a LogRateLimiter writes one by one, per how long. */
export interface LogRateLimit {
  /** Lines of one kind written one by one per interval; the rest are only counted (default 20; 0: summaries only). */
  readonly burst?: number;
  /** The interval in milliseconds, and how often a flood of one kind is summed up (default 10 000). */
  readonly intervalMs?: number;
  /** Timer functions (default the global setTimeout/clearTimeout). */
  readonly timers?: LogTimers;
}

/** A kind of line a peer can cause: its severity, and how to sum up many of them in one line. */
export interface LogKind {
  readonly severity: "debug" | "info" | "warn";
  /** Sums up `count` lines of this kind, e.g. `refused 1,234 connections over maxConnections (10000)`. */
  readonly summary: (count: number) => string;
}

/** Defaults of LogRateLimit. */
export const LOG_RATE_LIMIT_DEFAULTS = Object.freeze({ burst: 20, intervalMs: 10_000 });

const globalTimers: LogTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** One kind's current interval. */
interface Interval {
  /** Lines of this interval, written or not. */
  total: number;
  /** Lines of this interval written one by one. */
  written: number;
  /** The previous interval was a flood: this one writes no line one by one, only its summary. */
  readonly flooding: boolean;
  readonly timer: unknown;
}

/**
 * Keeps lines that peers can cause from flooding a log. Per kind of line, the first `burst` lines of
 * an interval are written as they come; the rest are counted, and when the interval ends one summary
 * line says how many there were ("refused 1,234 connections over maxConnections (10000) in the last
 * 10 s (the first 10 logged one by one)"). While a flood lasts, each further interval writes only its
 * summary; after a quiet interval, lines are written one by one again. So a kind writes at most
 * `burst` + 1 lines per interval, however many events there are.
 */
export class LogRateLimiter {
  readonly #log: ConnectionLog;
  readonly #burst: number;
  readonly #intervalMs: number;
  readonly #timers: LogTimers;
  readonly #intervals = new Map<LogKind, Interval>();
  #closed = false;

  /** Throws RangeError for a burst that is not a whole number from 0 up, or an interval that is not positive. */
  constructor(log: ConnectionLog, limit: LogRateLimit = {}) {
    this.#log = log;
    this.#burst = limit.burst ?? LOG_RATE_LIMIT_DEFAULTS.burst;
    this.#intervalMs = limit.intervalMs ?? LOG_RATE_LIMIT_DEFAULTS.intervalMs;
    this.#timers = limit.timers ?? globalTimers;
    if (!Number.isSafeInteger(this.#burst) || this.#burst < 0) {
      throw new RangeError(`Log rate limit burst must be a whole number from 0 up, got ${this.#burst}.`);
    }
    if (!(Number.isFinite(this.#intervalMs) && this.#intervalMs > 0)) {
      throw new RangeError(`Log rate limit intervalMs must be a finite number > 0, got ${this.#intervalMs}.`);
    }
  }

  /** Writes `line` with the kind's severity, or only counts it when the kind has used up its burst. */
  write(kind: LogKind, line: string): void {
    if (this.#closed) {
      this.#log(line, kind.severity);
      return;
    }
    const interval = this.#intervals.get(kind) ?? this.#start(kind, false);
    interval.total++;
    if (interval.flooding || interval.written >= this.#burst) return;
    interval.written++;
    this.#log(line, kind.severity);
  }

  /** Writes the summary of every interval with unwritten lines and stops the timers; later lines pass unlimited. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [kind, interval] of this.#intervals) {
      this.#timers.clearTimeout(interval.timer);
      this.#summarize(kind, interval);
    }
    this.#intervals.clear();
  }

  #start(kind: LogKind, flooding: boolean): Interval {
    const interval: Interval = {
      total: 0,
      written: 0,
      flooding,
      timer: this.#timers.setTimeout(() => this.#end(kind), this.#intervalMs),
    };
    this.#intervals.set(kind, interval);
    return interval;
  }

  #end(kind: LogKind): void {
    const interval = this.#intervals.get(kind);
    if (interval === undefined) return;
    this.#intervals.delete(kind);
    if (this.#summarize(kind, interval)) this.#start(kind, true);
  }

  /** Writes the interval's summary if some of its lines were not written; says whether it did. */
  #summarize(kind: LogKind, interval: Interval): boolean {
    if (interval.total === interval.written) return false;
    const shown = interval.written === 0 ? "" : ` (the first ${interval.written} logged one by one)`;
    this.#log(`${kind.summary(interval.total)} in the last ${duration(this.#intervalMs)}${shown}`, kind.severity);
    return true;
  }
}

/** "1 connection", "1,234 connections": a count with its noun, for summaries. */
export function counted(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? noun : nouns}`;
}

function duration(ms: number): string {
  return ms < 1000 || ms % 1000 !== 0 ? `${ms} ms` : `${ms / 1000} s`;
}
