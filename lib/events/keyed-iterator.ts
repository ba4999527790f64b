/**
 * An async iterator of per-key changes that coalesces while the consumer is slow: at most one pending
 * change per key (the newest), in the order keys first changed, except that a change marked `final`
 * (a removal) is never overwritten: a later change to the same key is queued after it. Memory is
 * bounded by the number of live keys, whatever the rate.
 */
export class KeyedIterator<K, V> implements AsyncIterableIterator<V> {
  private readonly pending = new Map<K, V>();
  /** Changes queued behind a pending final change of the same key (at most one per key). */
  private readonly behindFinal = new Map<K, V>();
  private waiting: ((result: IteratorResult<V>) => void) | undefined;
  private ended = false;

  constructor(
    private readonly isFinal: (value: V) => boolean,
    private unsubscribe: () => void,
  ) {}

  push(key: K, value: V): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting && this.pending.size === 0) {
      this.waiting = undefined;
      waiting({ value, done: false });
      return;
    }
    const existing = this.pending.get(key);
    if (existing !== undefined && this.isFinal(existing) && !this.isFinal(value)) {
      this.behindFinal.set(key, value);
    } else {
      if (this.isFinal(value)) this.behindFinal.delete(key);
      this.pending.set(key, value);
    }
  }

  /** The source ended: pending changes are still delivered, then the iterator is done. */
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

  next(): Promise<IteratorResult<V>> {
    const first = this.pending.entries().next();
    if (!first.done) {
      const [key, value] = first.value;
      this.pending.delete(key);
      const behind = this.behindFinal.get(key);
      if (behind !== undefined) {
        this.behindFinal.delete(key);
        this.pending.set(key, behind);
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    if (this.waiting) return Promise.reject(new TypeError("next() called again before the previous call settled"));
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<V>> {
    this.pending.clear();
    this.behindFinal.clear();
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function noop(): void {}
