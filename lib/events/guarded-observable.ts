import { Observable, Subscriber, type Observer, type Operator, type Subscription, type TeardownLogic } from "rxjs";
import type { ErrorSink } from "./error-sink.js";

/**
 * An RxJS Observable whose subscribers cannot hurt the node, and whose operator chains keep that
 * guarantee: `.pipe()` on it returns a GuardedObservable again (RxJS builds every operator step with
 * `lift`, which this class overrides), so a subscriber at the end of a chain is guarded too.
 *
 * For a subscriber of a guarded observable, direct or at the end of a chain:
 * - an exception its `next`, `error` or `complete` throws is reported to the node's error sink instead
 *   of being rethrown asynchronously by RxJS (which would crash a Node process), and it stays subscribed;
 * - an error notification it has no handler for (one that an operator callback threw, which RxJS turns
 *   into the chain's error) is reported to the error sink as well, instead of being rethrown.
 *
 * Observables made elsewhere (`combineLatest`, `merge`, a Subject, `new Observable`) are not guarded,
 * even when they take ours as input: their subscribers follow RxJS' own rules (`config.onUnhandledError`).
 */
export class GuardedObservable<T> extends Observable<T> {
  constructor(
    private readonly sink: ErrorSink,
    /** Names the observable's owner in error reports (its toString(), called only when a subscriber throws). */
    private readonly owner: object,
    subscribe?: (subscriber: Subscriber<T>) => TeardownLogic,
  ) {
    super(subscribe);
  }

  /** One operator step of a chain built with `.pipe()`: guarded like its source. */
  override lift<R>(operator?: Operator<T, R>): Observable<R> {
    const observable = new GuardedObservable<R>(this.sink, this.owner);
    observable.source = this;
    observable.operator = operator;
    return observable;
  }

  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null): Subscription {
    // The next step of a chain (or a subscriber RxJS made, e.g. for firstValueFrom) is passed through,
    // so teardown stays linked; the application's subscriber at the end of the chain is guarded.
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
    const unhandled = (error: unknown) => sink(error, `${String(owner)} subscriber, an error notification it has no handler for`);
    if (observerOrNext == null) return super.subscribe({ error: unhandled });
    if (typeof observerOrNext === "function") return super.subscribe({ next: guard(observerOrNext, undefined), error: unhandled });
    return super.subscribe({
      next: guard(observerOrNext.next, observerOrNext),
      error: guard(observerOrNext.error, observerOrNext) ?? unhandled,
      complete: guard(observerOrNext.complete, observerOrNext),
    });
  }
}
