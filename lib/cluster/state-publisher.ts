import type { ObjectState } from "../state/object-state.js";
import { encodeState } from "../sync/state-encoding.js";
import type { StateFrame } from "./state-store.js";

/** Sends one message and the full state beside it; resolves false when the holding is not in force any more. */
export type SendState = (message: StateFrame, full: StateFrame) => Promise<boolean>;

/**
 * How many messages of one object may be on their way to Redis at once (one connection keeps them in
 * order). A busy router answers its sockets once per turn of its event loop, so a message that waited
 * for the previous one's answer would go at that pace.
 */
export const MESSAGES_IN_FLIGHT = 64;

/**
 * Hands the states of one holding of an object's lease to the cluster: one message per update, a diff
 * against the previous one when that is smaller, numbered so followers can see a gap. Up to
 * MESSAGES_IN_FLIGHT go out without waiting for Redis' answer; past that, later states wait and only
 * the latest goes next (observers see the latest state only).
 */
export class StatePublisher {
  private seq = 0;
  /** The state the last message made (the base of the next diff). */
  private base: ObjectState<unknown> | undefined;
  private latest: ObjectState<unknown> | undefined;
  private inFlight = 0;
  private stopped = false;

  /**
   * @param epoch the holding's fencing epoch, carried by every message
   * @param send what puts a message in Redis
   * @param refused called when Redis refused a message: the holding is not in force any more
   */
  constructor(
    private readonly epoch: number,
    private readonly send: SendState,
    private readonly refused: () => void,
  ) {}

  /** Sends `state` as the object's next update (at once, or when a message on its way is through). */
  offer(state: ObjectState<unknown>): void {
    this.latest = state;
    if (this.inFlight < MESSAGES_IN_FLIGHT) this.next();
  }

  private next(): void {
    const state = this.latest;
    this.latest = undefined;
    if (state === undefined || state === this.base || this.stopped) return;
    const seq = ++this.seq;
    // The full state as links share it this tick: a diff that does not pay falls back to the same bytes.
    const full = encodeState(state, undefined);
    const wire = this.base === undefined ? full : encodeState(state, this.base);
    this.base = state;
    this.inFlight++;
    this.send({ epoch: this.epoch, seq, wire }, { epoch: this.epoch, seq, wire: full }).then(
      (taken) => this.answered(taken),
      // Redis is unreachable: the member hears of the loss; followers resync when a number goes missing.
      () => this.answered(true),
    );
  }

  private answered(taken: boolean): void {
    this.inFlight--;
    if (!taken && !this.stopped) {
      this.stopped = true;
      this.refused();
    }
    if (this.latest !== undefined && this.inFlight < MESSAGES_IN_FLIGHT) this.next();
  }
}
