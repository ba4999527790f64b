import type { ObjectExpose } from "../contracts/object-expose.js";
import { callGuarded, type ErrorSink } from "../events/error-sink.js";
import type { MonitorTimers } from "./monitor-timers.js";
import type { NodeSnapshot } from "./node-snapshot.js";

/**
 * Publishes a node's monitor object through its expose contract, only while it is elected (that is,
 * while someone observes it): a snapshot at once when elected, then one per interval; when it is not
 * elected any more, its timer stops, so an unobserved monitor costs nothing.
 */
export class MonitorPublisher {
  private timer: unknown = undefined;
  private readonly unsubscribe: () => void;

  constructor(
    readonly contract: ObjectExpose<NodeSnapshot>,
    private intervalMs: number,
    /** A fresh snapshot; `refresh`: at the end of an interval (not when just elected). */
    private readonly snapshot: (refresh: boolean) => NodeSnapshot,
    private readonly timers: MonitorTimers,
    private readonly reportError: ErrorSink,
  ) {
    this.unsubscribe = contract.onAssigned((assigned) => (assigned ? this.begin() : this.end()));
    if (contract.assigned) this.begin();
  }

  /** Whether the refresh timer runs (the object is elected). */
  get publishing(): boolean {
    return this.timer !== undefined;
  }

  /** Refreshes every `intervalMs` from now on (restarting the running timer). */
  setInterval(intervalMs: number): void {
    if (intervalMs === this.intervalMs) return;
    this.intervalMs = intervalMs;
    if (this.timer === undefined) return;
    this.timers.clearInterval(this.timer);
    this.timer = this.timers.setInterval(() => this.publish(true), intervalMs);
  }

  /** Stops publishing for good and ends the contract (its observers see the object go unsynchronized). */
  stop(): void {
    this.unsubscribe();
    this.end();
    this.contract.terminate();
  }

  private begin(): void {
    if (this.timer !== undefined) return;
    this.timer = this.timers.setInterval(() => this.publish(true), this.intervalMs);
    this.publish(false);
  }

  private end(): void {
    if (this.timer === undefined) return;
    this.timers.clearInterval(this.timer);
    this.timer = undefined;
  }

  private publish(refresh: boolean): void {
    callGuarded(this.reportError, `monitor ${this.contract.descriptor}`, (contract) => contract.set(this.snapshot(refresh)), this.contract);
  }
}
