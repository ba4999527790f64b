import type { Observable } from "rxjs";
import { GuardedObservable } from "../events/guarded-observable.js";
import { ListenerSet } from "../events/listener-set.js";
import type { ContractContext, Terminable } from "./contract-context.js";
import { ContractTerminatedError } from "./contract-terminated-error.js";

/**
 * What every contract shares: its lifetime and the plumbing that turns one stream of events into the
 * three surfaces (RxJS observable, async iterator, callback), all of which end when the contract does.
 */
export abstract class Contract implements Terminable {
  private endListeners: ListenerSet<void> | undefined;
  private isTerminated = false;

  protected constructor(protected readonly context: ContractContext) {}

  abstract readonly role: "observe" | "expose";

  /** Names the contract in error reports and logs, e.g. `observe [["t"],1]`. */
  abstract toString(): string;

  private get ended(): ListenerSet<void> {
    return (this.endListeners ??= this.listenerSet("completion"));
  }

  /** True once terminate() was called (or the node closed). */
  get terminated(): boolean {
    return this.isTerminated;
  }

  /** Ends the contract: it leaves the exchange and every stream of it completes. Idempotent. */
  terminate(): void {
    if (this.isTerminated) return;
    this.isTerminated = true;
    this.leave();
    this.context.forget(this);
    this.context.exchange.defer(() => {
      this.endListeners?.emit();
      this.endListeners?.clear();
      this.clearListeners();
    });
  }

  /** Number of live subscriptions of every surface (for leak checks). */
  abstract get subscriptionCount(): number;

  /** Leaves the exchange; called once by terminate(). */
  protected abstract leave(): void;

  /** Drops the callbacks still registered after the end was delivered. */
  protected abstract clearListeners(): void;

  protected get endListenerCount(): number {
    return this.endListeners?.size ?? 0;
  }

  protected assertLive(what: string): void {
    if (this.isTerminated) throw new ContractTerminatedError(what);
  }

  protected listenerSet<T>(what: string): ListenerSet<T> {
    return new ListenerSet<T>(this.context.exchange.reportError, this, what);
  }

  /**
   * An observable over `events` that first replays `initial()` (each value it returns, in order),
   * then follows live events, and completes when the contract terminates.
   */
  protected observable<T>(events: ListenerSet<T>, initial: () => Iterable<T>): Observable<T> {
    return new GuardedObservable<T>(this.context.exchange.reportError, this, (subscriber) => {
      if (this.isTerminated) {
        subscriber.complete();
        return;
      }
      for (const value of initial()) subscriber.next(value);
      const offEvent = events.add((value) => subscriber.next(value));
      const offEnd = this.ended.add(() => subscriber.complete());
      return () => {
        offEvent();
        offEnd();
      };
    });
  }

  /** Registers `onEnd` to run when the contract terminates (immediately if it already has). */
  protected whenEnded(onEnd: () => void): () => void {
    if (this.isTerminated) {
      onEnd();
      return noop;
    }
    return this.ended.add(onEnd);
  }
}

function noop(): void {}
