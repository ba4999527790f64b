import type { Observable } from "rxjs";
import { GuardedObservable } from "../events/guarded-observable.js";
import { ListenerSet } from "../events/listener-set.js";
import type { AccessDeniedError } from "../exchange/access-denied-error.js";
import type { ContractContext, NodeContract } from "./contract-context.js";
import { ContractTerminatedError } from "./contract-terminated-error.js";

/**
 * What every contract shares: its lifetime and the plumbing that turns its one stream of events (`E`:
 * states, changes or assignments) into the three surfaces (RxJS observable, async iterator, callback),
 * all of which end when the contract does. Listener sets are made on first use: most contracts never
 * get a subscriber of some kind, and an unused set would cost memory per object.
 */
export abstract class Contract<E> implements NodeContract {
  private eventListeners: ListenerSet<E> | undefined;
  private endListeners: ListenerSet<void> | undefined;
  private denialListeners: ListenerSet<AccessDeniedError | undefined> | undefined;
  private currentDenial: AccessDeniedError | undefined;
  private denialStream: Observable<AccessDeniedError | undefined> | undefined;
  private isTerminated = false;

  protected constructor(protected readonly context: ContractContext) {}

  abstract get role(): "observe" | "expose";

  /** Names the contract in error reports and logs, e.g. `observe [["t"],1]`. */
  abstract toString(): string;

  private get ended(): ListenerSet<void> {
    return (this.endListeners ??= new ListenerSet<void>(this.context.exchange.reportError, this, "completion"));
  }

  /** The listeners of this contract's events (made on first use). */
  protected get events(): ListenerSet<E> {
    return (this.eventListeners ??= new ListenerSet<E>(this.context.exchange.reportError, this, "event"));
  }

  /** Whether anyone listens to this contract's events (an event nobody gets need not be made). */
  protected get listened(): boolean {
    return (this.eventListeners?.size ?? 0) > 0;
  }

  /** Delivers one event to whoever listens (in order with the exchange's other events). */
  protected emitEvent(event: E): void {
    const listeners = this.eventListeners;
    if (listeners !== undefined) this.context.exchange.emit(listeners, event);
  }

  /**
   * Why a parent denies this contract's access (its policy: no grant to observe or expose the object or
   * tag), or undefined while nothing is denied. A denied observer gets no states; a denied exposer is
   * never elected. The denial is lifted when the parent grants the access again.
   */
  get denial(): AccessDeniedError | undefined {
    return this.currentDenial;
  }

  /** Replays the current denial (undefined: none), then every change; completes on terminate. */
  get denial$(): Observable<AccessDeniedError | undefined> {
    return (this.denialStream ??= new GuardedObservable<AccessDeniedError | undefined>(this.context.exchange.reportError, this, (subscriber) => {
      if (this.isTerminated) {
        subscriber.complete();
        return;
      }
      subscriber.next(this.currentDenial);
      const offDenial = this.denials.add((denial) => subscriber.next(denial));
      const offEnd = this.ended.add(() => subscriber.complete());
      return () => {
        offDenial();
        offEnd();
      };
    }));
  }

  /** Calls `callback` when a denial starts (the error) or is lifted (undefined); returns the unsubscribe function. */
  onDenial(callback: (denial: AccessDeniedError | undefined) => void): () => void {
    this.assertLive("onDenial");
    return this.denials.add(callback);
  }

  private get denials(): ListenerSet<AccessDeniedError | undefined> {
    return (this.denialListeners ??= new ListenerSet<AccessDeniedError | undefined>(this.context.exchange.reportError, this, "denial"));
  }

  /** @internal The exchange: a parent denied this contract's access, or granted it again. */
  accessChanged(_access: "observe" | "expose", error: AccessDeniedError | undefined): void {
    if (this.isTerminated || this.currentDenial === error) return;
    this.currentDenial = error;
    const listeners = this.denialListeners;
    if (listeners !== undefined) this.context.exchange.emit(listeners, error);
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
      this.eventListeners?.clear();
      this.denialListeners?.clear();
    });
  }

  /** Number of live subscriptions of every surface (for leak checks). */
  get subscriptionCount(): number {
    return (this.eventListeners?.size ?? 0) + (this.endListeners?.size ?? 0) + (this.denialListeners?.size ?? 0);
  }

  /** Values given to `set()` that this contract holds (expose contracts override it). */
  get exposedValueCount(): number {
    return 0;
  }

  /** Leaves the exchange; called once by terminate(). */
  protected abstract leave(): void;

  /** Calls `callback` on every event; returns the unsubscribe function. */
  protected listen(what: string, callback: (event: E) => void): () => void {
    this.assertLive(what);
    return this.events.add(callback);
  }

  /**
   * Follows events and the end (for an async iterator); returns the function that stops both.
   * After the contract ended, `onEnd` runs in a microtask (the caller has its stop function by then).
   */
  protected follow(onEvent: (event: E) => void, onEnd: () => void): () => void {
    if (this.isTerminated) {
      queueMicrotask(onEnd);
      return noop;
    }
    const offEvent = this.events.add(onEvent);
    const offEnd = this.ended.add(onEnd);
    return () => {
      offEvent();
      offEnd();
    };
  }

  protected assertLive(what: string): void {
    if (this.isTerminated) throw new ContractTerminatedError(what);
  }

  /**
   * An observable over the events that first replays `initial()` (each value it returns, in order),
   * then follows live events, and completes when the contract terminates.
   */
  protected observable(initial: () => Iterable<E>): Observable<E> {
    return new GuardedObservable<E>(this.context.exchange.reportError, this, (subscriber) => {
      if (this.isTerminated) {
        subscriber.complete();
        return;
      }
      for (const value of initial()) subscriber.next(value);
      return this.follow((value) => subscriber.next(value), () => subscriber.complete());
    });
  }
}

function noop(): void {}
