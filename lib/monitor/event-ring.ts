/**
 * The last `capacity` items pushed, oldest first: a fixed array written round, so keeping a log of
 * recent events costs the same after a million of them as after a hundred.
 */
export class EventRing<T> {
  private readonly items: T[] = [];
  /** Where the next item goes once the ring is full (the oldest one's place). */
  private next = 0;

  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return;
    }
    if (this.capacity === 0) return;
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  /** The items held, oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}
