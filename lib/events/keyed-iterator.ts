import { PullIterator } from "./pull-iterator.js";

/**
 * An async iterator of per-key changes that coalesces while the consumer is slow: at most one pending
 * change per key (the newest), in the order keys first changed, except that a change marked `final`
 * (a removal) is never overwritten: a later change to the same key is queued after it. Memory is
 * bounded by the number of live keys, whatever the rate.
 */
export class KeyedIterator<K, V> extends PullIterator<V> {
  private readonly pending = new Map<K, V>();
  /** Changes queued behind a pending final change of the same key (at most one per key). */
  private readonly behindFinal = new Map<K, V>();

  constructor(
    private readonly isFinal: (value: V) => boolean,
    unsubscribe: () => void,
  ) {
    super(unsubscribe);
  }

  push(key: K, value: V): void {
    if (this.handOver(value)) return;
    const existing = this.pending.get(key);
    if (existing !== undefined && this.isFinal(existing) && !this.isFinal(value)) {
      this.behindFinal.set(key, value);
    } else {
      if (this.isFinal(value)) this.behindFinal.delete(key);
      this.pending.set(key, value);
    }
  }

  protected take(): { value: V } | undefined {
    const first = this.pending.entries().next();
    if (first.done) return undefined;
    const [key, value] = first.value;
    this.pending.delete(key);
    const behind = this.behindFinal.get(key);
    if (behind !== undefined) {
      this.behindFinal.delete(key);
      this.pending.set(key, behind);
    }
    return { value };
  }

  protected get holding(): boolean {
    return this.pending.size > 0;
  }

  protected drop(): void {
    this.pending.clear();
    this.behindFinal.clear();
  }
}
