import { isStateOf, type ObjectState } from "../state/object-state.js";
import { compareVersions, type Version } from "../state/version.js";
import { encodeState, patchLengthOf } from "./state-encoding.js";
import type { LinkFormats } from "./link-formats.js";
import type { OutboundPaths } from "./wire/path-dictionary.js";
import type { WireState } from "./wire-state.js";
import type { AckPayload } from "./object-session.js";

/** Where a StateSender's messages go (the object's side of a link). */
export interface StateTransmitter {
  transmitState(state: WireState): void;
  /**
   * Whether the link holds `sender` back (its flow window is full, or its queue congested), so it must
   * keep its latest state instead of sending it; the link then calls `sender.flush()` once it has room.
   * Without it, a sender is never held back.
   */
  holdsBack?(sender: StateSender): boolean;
  /** What the receiver holds of the object's interned paths; absent, paths go literally. */
  readonly paths?: OutboundPaths;
  /** The formats besides JSON this side diffs toward the receiver; absent: none (such states go whole). */
  readonly formats?: LinkFormats;
  /** A state went as a diff of `length` bytes (for the object's monitor figures). */
  sentPatch?(length: number): void;
}

/**
 * Sends one object's states over one link in one direction. Each update goes at once, as a diff against
 * the last state sent when that pays (the link is ordered, so the receiver holds that base by the time
 * the diff arrives), or in full. While the link holds the sender back (its flow window is full, or its
 * queue is congested) only the latest state is remembered and goes when the link lets it, so a slow
 * receiver costs one state of memory, never a queue, and always ends with the newest. Nothing is
 * acknowledged except a resync (the receiver could not apply a state and asks for a full one), and a
 * full state goes at most once per version however often the receiver asks, so what a peer sends back
 * cannot make it send more than the object changes.
 */
export class StateSender {
  private latest: ObjectState<unknown> | undefined;
  /** The last state sent: what the receiver holds once it read it (the base of the next diff). */
  private sent: ObjectState<unknown> | undefined;
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
   * The receiver's acknowledgement: with `resync`, it could not apply a state and holds `ack.v` (or
   * nothing), so the next state goes in full, unless the latest already went in full (then it is on its
   * way, or the receiver had it and asks again for nothing). Without `resync` it tells nothing this
   * sender needs (states are not acknowledged one by one).
   */
  acknowledged(ack: AckPayload): void {
    if (ack.resync !== true) return;
    const latest = this.latest;
    if (latest === undefined || (this.fullVersion !== undefined && compareVersions(this.fullVersion, latest.version) === 0)) return;
    // The receiver holds something else: every diff sent since was built on a base it lacks.
    this.sent = undefined;
    this.flush();
  }

  /**
   * What the receiver most likely holds if the link drops now: the last state sent. A reconnect diffs
   * against it when the receiver names its version, and sends in full otherwise.
   */
  get resumeBase(): ObjectState<unknown> | undefined {
    return this.sent;
  }

  /** Sends the latest state if the receiver lacks it and the link does not hold this sender back (else it waits). */
  flush(): void {
    const latest = this.latest;
    const sent = this.sent;
    if (latest === undefined || (latest === sent && !this.flagOwed)) return;
    if (this.link.holdsBack?.(this) === true) return;
    // Only a diff refers to interned paths: a full state asks for none (an object that never changes needs no table of them).
    const payload = sent === undefined ? encodeState(latest, undefined) : encodeState(latest, sent, this.link.paths, this.link.formats);
    if (sent === undefined) this.fullVersion = latest.version;
    this.sent = latest;
    this.flagOwed = false;
    this.link.transmitState(payload);
    const length = patchLengthOf(payload);
    if (length !== undefined) this.link.sentPatch?.(length);
  }
}

