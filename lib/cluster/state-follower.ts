import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import { resolveDataLimits } from "../state/frozen-data.js";
import type { ObjectState } from "../state/object-state.js";
import { StateReceiver } from "../sync/state-receiver.js";
import type { StateFrame } from "./state-store.js";

/**
 * Takes one object's states from the cluster, as the lease holders publish them: applies each diff to
 * the state it was made against, and asks for a resync from the stored state when a message was lost (its
 * number skips one) or cannot be applied. A frame of an earlier holding than the last one taken is a
 * former holder's and is dropped.
 */
export class StateFollower {
  private epoch = -Infinity;
  private seq = 0;
  private readonly receiver: StateReceiver;

  /**
   * @param resync called when the next state must come from the stored one
   * @param log where a state that cannot be decoded is reported
   */
  constructor(
    descriptor: ObjectDescriptor,
    private readonly resync: () => void,
    log: (line: string) => void,
  ) {
    this.receiver = new StateReceiver({
      descriptor,
      dataLimits: resolveDataLimits(undefined),
      abort: (reason) => log(`cluster: ${descriptor.toString()}: a state from Redis was refused: ${reason}`),
    });
  }

  /** The state a message from the object's channel makes, or undefined when it makes none. */
  message(frame: StateFrame): ObjectState<unknown> | undefined {
    if (this.isOlder(frame)) return undefined;
    if (frame.epoch !== this.epoch || frame.seq !== this.seq + 1) this.receiver.restart(undefined); // only a full state will do
    return this.take(frame, true);
  }

  /** The state the stored frame makes, or undefined when it is not newer than what was taken. */
  stored(frame: StateFrame): ObjectState<unknown> | undefined {
    if (this.isOlder(frame)) return undefined;
    return this.take(frame, false); // a full state: it needs no base
  }

  /** Whether `frame` is of an earlier holding than the last one taken, or not after it in the same holding. */
  private isOlder(frame: StateFrame): boolean {
    return frame.epoch < this.epoch || (frame.epoch === this.epoch && frame.seq <= this.seq);
  }

  private take(frame: StateFrame, resyncIfNone: boolean): ObjectState<unknown> | undefined {
    const state = this.receiver.receive(frame.wire)?.state;
    if (state === undefined) {
      if (resyncIfNone) this.resync();
      return undefined;
    }
    this.epoch = frame.epoch;
    this.seq = frame.seq;
    return state;
  }
}
