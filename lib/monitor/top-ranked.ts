/**
 * The first `limit` of `items` in the order of `compare` (negative: `a` ranks before `b`), in that order.
 * A heap holds the best `limit` seen so far with the worst of them on top, so ranking n items costs
 * n log(limit), not a sort of all n: a node with 200,000 objects lists its busiest thousand cheaply.
 */
export function topRanked<T>(items: Iterable<T>, limit: number, compare: (a: T, b: T) => number): T[] {
  const heap: T[] = [];
  if (limit <= 0) return heap;
  for (const item of items) {
    if (heap.length < limit) {
      heap.push(item);
      siftUp(heap, heap.length - 1, compare);
    } else if (compare(item, heap[0]!) < 0) {
      heap[0] = item;
      siftDown(heap, 0, compare);
    }
  }
  return heap.sort(compare);
}

/** Moves the item at `index` up while it ranks after its parent (the worst stays on top). */
function siftUp<T>(heap: T[], index: number, compare: (a: T, b: T) => number): void {
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
function siftDown<T>(heap: T[], index: number, compare: (a: T, b: T) => number): void {
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
