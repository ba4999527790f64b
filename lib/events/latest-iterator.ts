/**
 * An async iterator over a value that changes: it yields the newest value each time the consumer asks,
 * skipping intermediate values while the consumer is slow (latest wins), and ends when the source ends.
 * Memory is one value, whatever the rate.
 */
export class LatestIterator<T> implements AsyncIterableIterator<T> {
  private pending: { value: T } | undefined;
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private ended = false;

  /** @param unsubscribe called once when the iterator finishes (consumer return() or source end). */
  constructor(private unsubscribe: () => void) {}

  /** Offers a new value; replaces any value the consumer has not taken yet. */
  push(value: T): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value, done: false });
    } else {
      this.pending = { value };
    }
  }

  /** The source ended: a value not yet taken is still delivered, then the iterator is done. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.release();
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    const pending = this.pending;
    if (pending) {
      this.pending = undefined;
      return Promise.resolve({ value: pending.value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    if (this.waiting) return Promise.reject(new TypeError("next() called again before the previous call settled"));
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.pending = undefined;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private release(): void {
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = noop;
    unsubscribe();
  }
}

function noop(): void {}
