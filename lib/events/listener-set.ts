import type { ErrorSink } from "./error-sink.js";

/**
 * A synchronous, guarded fan-out to listeners: the one primitive under every event surface
 * (RxJS observables, async iterators and callbacks all subscribe here). Emitting while a listener
 * subscribes or unsubscribes is safe; a throwing listener is reported and the rest still run.
 * Costs one small object until the first listener arrives (most contracts never get one of some kind).
 */
export class ListenerSet<T> {
  private listeners: Array<(value: T) => void> | undefined;
  private emitting = 0;
  private queued: T[] | undefined;
  private dirty = false;

  /**
   * @param owner names the listeners' owner in error reports (its toString(), called only when one throws)
   * @param what which of the owner's events these listeners follow, e.g. "change"
   */
  constructor(
    private readonly sink: ErrorSink,
    private readonly owner: object,
    private readonly what: string,
  ) {}

  /** Number of live listeners (for leak checks and statistics). */
  get size(): number {
    let n = 0;
    if (this.listeners) for (const l of this.listeners) if (l !== noop) n++;
    return n;
  }

  /** Adds a listener; returns the function that removes it (idempotent). */
  add(listener: (value: T) => void): () => void {
    (this.listeners ??= []).push(listener);
    return () => this.remove(listener);
  }

  /**
   * Calls every listener with `value`. A re-entrant emit (a listener causing another event of this
   * set) is queued and delivered after the current one, so every listener sees values in order.
   */
  emit(value: T): void {
    if (this.listeners === undefined) return;
    if (this.emitting > 0) {
      (this.queued ??= []).push(value);
      return;
    }
    this.emitting++;
    try {
      this.deliver(value);
      const queued = this.queued;
      if (queued !== undefined) {
        for (let i = 0; i < queued.length; i++) this.deliver(queued[i]!);
        this.queued = undefined;
      }
    } finally {
      this.emitting--;
      if (this.dirty) this.compact();
    }
  }

  private deliver(value: T): void {
    const listeners = this.listeners;
    if (listeners === undefined) return;
    const n = listeners.length;
    for (let i = 0; i < n; i++) {
      const listener = listeners[i]!;
      if (listener === noop) continue;
      try {
        listener(value);
      } catch (error) {
        this.sink(error, `${String(this.owner)} ${this.what} listener`);
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners = undefined;
    this.queued = undefined;
    this.dirty = false;
  }

  private remove(listener: (value: T) => void): void {
    const listeners = this.listeners;
    const index = listeners ? listeners.indexOf(listener) : -1;
    if (index < 0) return;
    if (this.emitting > 0) {
      // Keep indices stable for the running emit; compact afterwards.
      listeners![index] = noop;
      this.dirty = true;
    } else {
      listeners!.splice(index, 1);
    }
  }

  private compact(): void {
    this.listeners = this.listeners?.filter((l) => l !== noop);
    this.dirty = false;
  }
}

function noop(): void {}
