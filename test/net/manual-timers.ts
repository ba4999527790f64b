import type { LogTimers } from "../../lib/net/log-rate-limiter.js";

/** Timers that run only when the test says the interval is over. */
export class ManualTimers implements LogTimers {
  readonly #due = new Map<number, () => void>();
  #next = 0;

  setTimeout(callback: () => void, _ms: number): unknown {
    this.#due.set(++this.#next, callback);
    return this.#next;
  }

  clearTimeout(handle: unknown): void {
    this.#due.delete(handle as number);
  }

  /** Timers still set. */
  get pending(): number {
    return this.#due.size;
  }

  /** Runs every timer set so far (the interval ended), not the ones they set. */
  elapse(): void {
    const due = [...this.#due.values()];
    this.#due.clear();
    for (const callback of due) callback();
  }
}
