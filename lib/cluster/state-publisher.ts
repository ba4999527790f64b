import type { ObjectState } from "../state/object-state.js";
import { encodeState } from "../sync/state-encoding.js";
import { encodeFull } from "../sync/wire/state-codec.js";
import type { StateFrame } from "./state-store.js";

/** Sends one message and the full state beside it; resolves false when the holding is not in force any more. */
export type SendState = (message: StateFrame, full: StateFrame) => Promise<boolean>;

/**
 * Hands the states of one holding of an object's lease to the cluster: one message per update, a diff
 * against the previous one when that is smaller, numbered so followers can see a gap. While one is on
 * its way, later states wait and only the latest goes next (observers see the latest state only).
 */
export class StatePublisher {
  private seq = 0;
  /** The state the last message made (the base of the next diff). */
  private base: ObjectState<unknown> | undefined;
  private latest: ObjectState<unknown> | undefined;
  private sending = false;

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

  /** Sends `state` as the object's next update (once the message on its way is through). */
  offer(state: ObjectState<unknown>): void {
    this.latest = state;
    if (!this.sending) void this.drain();
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      for (let state = this.latest; state !== undefined; state = this.latest) {
        this.latest = undefined;
        if (state === this.base) continue;
        const seq = ++this.seq;
        const full = encodeFull(state);
        const wire = this.base === undefined ? full : encodeState(state, this.base);
        if (!(await this.send({ epoch: this.epoch, seq, wire }, { epoch: this.epoch, seq, wire: full }))) {
          this.refused();
          return;
        }
        this.base = state;
      }
    } catch {
      // Redis is unreachable: the member hears of the loss, and the numbers it skipped make followers resync.
    } finally {
      this.sending = false;
    }
  }
}
