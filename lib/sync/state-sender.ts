import { isStateOf, type ObjectState } from "../state/object-state.js";
import { compareVersions, type Version } from "../state/version.js";
import { encodeState, patchLengthOf } from "./state-encoding.js";
import type { WireState } from "./wire-state.js";
import type { AckPayload } from "./object-session.js";

/** Where a StateSender's messages go (the object's side of a link). */
export interface StateTransmitter {
  transmitState(state: WireState): void;
  /**
   * Whether the link is congested, so `sender` must keep its latest state instead of sending it; the
   * link then calls `sender.flush()` once it drained. Without it, a sender is never held back.
   */
  holdsBack?(sender: StateSender): boolean;
  /** A state went as a patch whose JSON text is `length` characters long (for the object's monitor figures). */
  sentPatch?(length: number): void;
}

/**
 * How many states of one object may be unacknowledged at once before the sender skips to the latest.
 * It bounds what a slow link holds per object, and sets the throughput per object and link (this many
 * states per round trip): 16 diffs keep a loaded loopback busy while a stuck link costs 16 small states.
 */
export const STATE_WINDOW = 16;

/**
 * Sends one object's states over one link in one direction. At most STATE_WINDOW states are in flight;
 * while the window is full, or the link is congested, only the latest state is remembered, so a slow
 * receiver costs a few states of memory, never a queue, and always ends with the newest. Each state goes
 * as a diff against the last one sent when that pays (the receiver applies them in order), or in full.
 * Only an acknowledgement naming a state in flight frees room in the window, and a full state goes at
 * most once per version however often the receiver asks for one, so what a peer sends back cannot make
 * it send more than the object changes.
 */
export class StateSender {
  private latest: ObjectState<unknown> | undefined;
  /** The last state sent: what the receiver will hold once it caught up (the base of the next diff). */
  private sent: ObjectState<unknown> | undefined;
  /**
   * Versions of the states sent and not yet acknowledged, oldest first (at most STATE_WINDOW); none while
   * idle. Versions, not states: a receiver that never acknowledges keeps no old state alive here.
   */
  private inFlight: Version[] | undefined;
  /** The receiver holds `sent`'s data but maybe not its synchronized flag: the flag goes even if nothing else changed. */
  private flagOwed = false;
  /** The version of the last state sent in full: a resync asking for it again is not answered. */
  private fullVersion: Version | undefined;

  constructor(private readonly link: StateTransmitter) {}

  /**
   * The receiver says it holds `version` of `epoch`; `base` is the state of that version if we still have it
   * (then the next state can be a diff). Without `base`, the next state goes in full, unless it is
   * that very version, when only its synchronized flag is sent.
   */
  resume(version: Version | undefined, epoch: number, base: ObjectState<unknown> | undefined): void {
    this.inFlight = undefined;
    const latest = this.latest;
    if (version === undefined) this.sent = undefined;
    else if (base !== undefined && isStateOf(base, version, epoch)) this.sent = base;
    // The receiver holds our latest version: the same data, so the flag is all that may differ.
    else if (latest !== undefined && isStateOf(latest, version, epoch)) this.sent = latest;
    else this.sent = undefined;
    this.flagOwed = this.sent !== undefined;
    this.flush();
  }

  /** Makes `state` the one the receiver must end up with. */
  update(state: ObjectState<unknown>): void {
    this.latest = state;
    this.flush();
  }

  /**
   * The receiver applied the state of version `ack.v` and every one before it; with `resync`, it could
   * not apply one and holds `ack.v` (or nothing): the next state goes in full, unless the latest already
   * went in full (then it is on its way, or the receiver had it and asks again for nothing).
   */
  acknowledged(ack: AckPayload): void {
    const inFlight = this.inFlight;
    const v = ack.v;
    if (inFlight !== undefined && v !== undefined) {
      let index = -1;
      for (let i = 0; i < inFlight.length && index < 0; i++) if (compareVersions(inFlight[i]!, v) === 0) index = i;
      if (index >= 0) inFlight.splice(0, index + 1);
      if (inFlight.length === 0) this.inFlight = undefined; // idle objects keep no array
    }
    const latest = this.latest;
    if (ack.resync && latest !== undefined && (this.fullVersion === undefined || compareVersions(this.fullVersion, latest.version) !== 0)) {
      // The receiver holds something else: everything in flight was built on a base it lacks.
      this.sent = undefined;
      this.inFlight = undefined;
    }
    this.flush();
  }

  /**
   * What the receiver most likely holds if the link drops now: the last state sent (acknowledgements
   * are delayed, so the newest acknowledged one is usually behind). A reconnect diffs against it when
   * the receiver names its version, and sends in full otherwise.
   */
  get resumeBase(): ObjectState<unknown> | undefined {
    return this.sent;
  }

  /** Sends the latest state if the receiver lacks it and the window and the link have room (else it waits). */
  flush(): void {
    const latest = this.latest;
    const sent = this.sent;
    if (latest === undefined || (latest === sent && !this.flagOwed) || (this.inFlight?.length ?? 0) >= STATE_WINDOW) return;
    if (this.link.holdsBack?.(this) === true) return;
    const payload = encodeState(latest, sent);
    if (sent === undefined) this.fullVersion = latest.version;
    this.sent = latest;
    this.flagOwed = false;
    (this.inFlight ??= []).push(latest.version);
    this.link.transmitState(payload);
    if (payload.p !== undefined) {
      const length = patchLengthOf(payload);
      if (length !== undefined) this.link.sentPatch?.(length);
    }
  }
}

