/**
 * What every event iterator shares: one consumer pulls with next(); values that arrive while nobody
 * waits are held by the subclass (each decides how to coalesce them); the source's end, or the
 * consumer's return(), releases the subscription once and ends the iterator after what is held.
 */
export abstract class PullIterator<T> implements AsyncIterableIterator<T> {
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private ended = false;

  /** @param unsubscribe called once when the iterator finishes (consumer return() or source end). */
  constructor(private unsubscribe: () => void) {}

  /** Takes the next held value, if any. */
  protected abstract take(): { value: T } | undefined;
  /** Whether a value is held. */
  protected abstract get holding(): boolean;
  /** Drops every held value. */
  protected abstract drop(): void;

  /** Hands `value` straight to a waiting consumer with nothing held before it; false if it must be held. */
  protected handOver(value: T): boolean {
    if (this.ended) return true;
    const waiting = this.waiting;
    if (waiting === undefined || this.holding) return false;
    this.waiting = undefined;
    waiting({ value, done: false });
    return true;
  }

  /** The source ended: held values are still delivered, then the iterator is done. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = noop;
    unsubscribe();
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    const held = this.take();
    if (held) return Promise.resolve({ value: held.value, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    if (this.waiting) return Promise.reject(new TypeError("next() called again before the previous call settled"));
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.drop();
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function noop(): void {}
