import { PullIterator } from "./pull-iterator.js";

/**
 * An async iterator over a value that changes: it yields the newest value each time the consumer asks,
 * skipping intermediate values while the consumer is slow (latest wins), and ends when the source ends.
 * Memory is one value, whatever the rate.
 */
export class LatestIterator<T> extends PullIterator<T> {
  private pending: { value: T } | undefined;

  /** Offers a new value; replaces any value the consumer has not taken yet. */
  push(value: T): void {
    if (!this.handOver(value)) this.pending = { value };
  }

  protected take(): { value: T } | undefined {
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }

  protected get holding(): boolean {
    return this.pending !== undefined;
  }

  protected drop(): void {
    this.pending = undefined;
  }
}
