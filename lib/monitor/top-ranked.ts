/**
 * The first `limit` items offered, in the order of `compare` (negative: `a` ranks before `b`). A heap
 * holds the best `limit` seen so far with the worst of them on top, so ranking n items costs n log(limit),
 * not a sort of all n: a node with 200,000 objects lists its busiest thousand cheaply. `admits` lets a
 * caller rank a scratch item and make a copy to keep only when it is admitted.
 */
export class TopRanked<T> {
  private readonly heap: T[] = [];

  constructor(
    private readonly limit: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  /** Whether `item` would be kept now: there is room, or it ranks before the worst item kept. */
  admits(item: T): boolean {
    const heap = this.heap;
    if (heap.length < this.limit) return true;
    return this.limit > 0 && this.compare(item, heap[0]!) < 0;
  }

  /** Keeps `item`, which `admits` admitted, dropping the worst item kept when there is no room. */
  add(item: T): void {
    const heap = this.heap;
    if (heap.length < this.limit) {
      heap.push(item);
      this.siftUp(heap.length - 1);
    } else {
      heap[0] = item;
      this.siftDown(0);
    }
  }

  /** The items kept, best first. */
  sorted(): T[] {
    return [...this.heap].sort(this.compare);
  }

  /** Moves the item at `index` up while it ranks after its parent (the worst stays on top). */
  private siftUp(index: number): void {
    const { heap, compare } = this;
    const item = heap[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (compare(heap[parent]!, item) >= 0) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = item;
  }

  /** Moves the item at `index` down while a child ranks after it. */
  private siftDown(index: number): void {
    const { heap, compare } = this;
    const item = heap[index]!;
    const n = heap.length;
    for (;;) {
      let worst = 2 * index + 1;
      if (worst >= n) break;
      const right = worst + 1;
      if (right < n && compare(heap[right]!, heap[worst]!) > 0) worst = right;
      if (compare(heap[worst]!, item) <= 0) break;
      heap[index] = heap[worst]!;
      index = worst;
    }
    heap[index] = item;
  }
}

/** The first `limit` of `items` in the order of `compare`, in that order (see TopRanked). */
export function topRanked<T>(items: Iterable<T>, limit: number, compare: (a: T, b: T) => number): T[] {
  const top = new TopRanked(limit, compare);
  for (const item of items) if (top.admits(item)) top.add(item);
  return top.sorted();
}
