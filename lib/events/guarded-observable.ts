import { Observable, Subscriber, type Observer, type Subscription, type TeardownLogic } from "rxjs";
import type { ErrorSink } from "./error-sink.js";

/**
 * An RxJS Observable whose direct subscribers cannot hurt the node: an exception thrown by a
 * subscriber's `next`/`complete` is reported to the node's error sink instead of being rethrown
 * asynchronously by RxJS (which would crash a Node process). Operators piped after it follow RxJS'
 * own rules (`config.onUnhandledError`).
 */
export class GuardedObservable<T> extends Observable<T> {
  constructor(
    private readonly sink: ErrorSink,
    /** Names the observable's owner in error reports (its toString(), called only when a subscriber throws). */
    private readonly owner: object,
    subscribe: (subscriber: Subscriber<T>) => TeardownLogic,
  ) {
    super(subscribe);
  }

  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null): Subscription {
    // Operator chains subscribe with their own Subscriber: pass it through so teardown stays linked.
    if (observerOrNext == null) return super.subscribe();
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext as Subscriber<T>);
    const sink = this.sink;
    const owner = this.owner;
    const guard = <A extends unknown[]>(fn: ((...args: A) => void) | undefined, self: unknown) =>
      fn &&
      ((...args: A) => {
        try {
          fn.apply(self, args);
        } catch (error) {
          sink(error, `${String(owner)} subscriber`);
        }
      });
    if (typeof observerOrNext === "function") return super.subscribe(guard(observerOrNext, undefined));
    return super.subscribe({
      next: guard(observerOrNext.next, observerOrNext),
      error: guard(observerOrNext.error, observerOrNext),
      complete: guard(observerOrNext.complete, observerOrNext),
    });
  }
}
