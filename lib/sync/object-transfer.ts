import type { JsonLimits } from "../descriptor/json-value.js";
import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { ObjectEntry } from "../exchange/object-entry.js";
import type { ObjectState } from "../state/object-state.js";
import type { Version } from "../state/version.js";
import type { AckCoalescer, AckOwner } from "./ack-coalescer.js";
import type { EndableSession } from "./link-ending.js";
import type { LinkFormats } from "./link-formats.js";
import type { AckPayload } from "./object-session.js";
import { type ReceivingEnd, StateReceiver } from "./state-receiver.js";
import { StateSender, type StateTransmitter } from "./state-sender.js";
import { OutboundPaths, pathDictionaryOf } from "./wire/path-dictionary.js";
import type { WireState } from "./wire-state.js";

/** What a transfer needs of its link's control session (a LinkControl): where acknowledgements wait, the data limits, the end. */
export interface TransferLink extends EndableSession {
  readonly acks: AckCoalescer;
  readonly dataLimits: JsonLimits;
  /** Which formats besides JSON go as diffs each way (absent: none). */
  readonly formats?: LinkFormats;
}

/**
 * One object's states over one link, both ways, whichever role the link end plays: a StateSender for
 * the states going to the peer, a StateReceiver for those coming from it, and the requests for a full
 * state of both (the peer's go to the sender; ours, when a state could not be applied, wait in the
 * link's AckCoalescer for the end of the turn). Each half is made when first needed (a side that only
 * observes never sends states, one that only exposes never receives any), and so is the record of the
 * paths the peer holds (only diffs refer to them).
 *
 * The object's session class of each role (ChildObject, ParentObject) is a transfer: a router holds one
 * per object per link, so the transfer is not an object of its own.
 */
export abstract class ObjectTransfer implements StateTransmitter, AckOwner, ReceivingEnd {
  /**
   * The half or halves made so far: the sender, or the receiver (made with the first state received, or
   * expect(), and kept: it holds the paths the peer interned), or both as a pair when one side both
   * sends and receives. One field, as a transfer usually has one half.
   */
  private halves: StateSender | StateReceiver | TransferHalves | undefined;
  /** Made with the first diff sent. */
  private outboundPaths: OutboundPaths | undefined;

  /** The object (its figures, such as the length of the last patch sent, are kept here). */
  abstract readonly entry: ObjectEntry;
  /** The object whose states these are (named in errors; see ReceivingEnd). */
  abstract readonly descriptor: ObjectDescriptor;
  /** The link's control session. */
  protected abstract readonly transferLink: TransferLink;
  /** Sends `state` to the peer (StateUp from a child, StateDown from a parent). */
  abstract sendState(state: WireState): void;
  /** Sends `ack` to the peer (AckUp from a child, AckDown from a parent). */
  abstract sendAck(ack: AckPayload): void;
  /** Whether the link holds `sender` back (see StateTransmitter.holdsBack). */
  abstract holdsBack(sender: StateSender): boolean;

  /** The sender of the states going to the peer, if one was made (the link's congestion tracks it). */
  get outbound(): StateSender | undefined {
    const halves = this.halves;
    return halves instanceof StateSender ? halves : halves instanceof TransferHalves ? halves.sender : undefined;
  }

  /** The receiver of the peer's states, if one was made. */
  private get inbound(): StateReceiver | undefined {
    const halves = this.halves;
    return halves instanceof StateReceiver ? halves : halves instanceof TransferHalves ? halves.receiver : undefined;
  }

  /** The sender, made now if it was not. */
  private get sender(): StateSender {
    const made = this.outbound;
    if (made !== undefined) return made;
    const sender = new StateSender(this);
    const receiver = this.inbound;
    this.halves = receiver === undefined ? sender : new TransferHalves(sender, receiver);
    return sender;
  }

  /** Makes the receiver, holding `held`. */
  private receiveFrom(held: ObjectState<unknown> | undefined): StateReceiver {
    const receiver = new StateReceiver(this, held);
    const sender = this.outbound;
    this.halves = sender === undefined ? receiver : new TransferHalves(sender, receiver);
    return receiver;
  }

  /** Makes `state` the one the peer must end up with. */
  update(state: ObjectState<unknown>): void {
    this.sender.update(state);
  }

  /** The peer holds `version` of `epoch`; `base` is that state if this side has it. See StateSender.resume. */
  resume(version: Version | undefined, epoch: number, base: ObjectState<unknown> | undefined): void {
    this.sender.resume(version, epoch, base);
  }

  /** The peer acknowledged states this side sent (it asks for a full state with `resync`). */
  acknowledged(ack: AckPayload): void {
    this.outbound?.acknowledged(ack);
  }

  /** What the peer most likely holds of what this side sent (the base of diffs after a reconnect). */
  get resumeBase(): ObjectState<unknown> | undefined {
    return this.outbound?.resumeBase;
  }

  /**
   * Starts receiving now, holding `held` (the base of the peer's first diff); otherwise the receiver is
   * made at the first state, holding the object's state then.
   */
  expect(held: ObjectState<unknown> | undefined): void {
    const receiver = this.inbound;
    if (receiver === undefined) this.receiveFrom(held);
    else receiver.restart(held);
  }

  /** The last state received from the peer (or the one expect() started from). */
  get held(): ObjectState<unknown> | undefined {
    return this.inbound?.held;
  }

  /**
   * Applies `wire`, a state from the peer. Returns the new state, or undefined when it could not be
   * applied (a full state is then asked for, after this turn), or when `wire` broke the link's data
   * limits (the link is then ending).
   */
  receive(wire: WireState): ObjectState<unknown> | undefined {
    const received = (this.inbound ?? this.receiveFrom(this.entry.state)).receive(wire);
    if (received === undefined) return undefined;
    if (received.state === undefined) this.transferLink.acks.add(this, received.ack);
    return received.state;
  }

  /** @internal The link's data limits (see ReceivingEnd). */
  get dataLimits(): JsonLimits {
    return this.transferLink.dataLimits;
  }

  /** @internal Which formats besides JSON go as diffs each way on the link (see ReceivingEnd, StateTransmitter). */
  get formats(): LinkFormats | undefined {
    return this.transferLink.formats;
  }

  /** @internal Ends the link (see ReceivingEnd). */
  abort(reason: string): void {
    this.transferLink.abort(reason);
  }

  /** @internal What the peer holds of the object's interned paths (see StateTransmitter.paths). */
  get paths(): OutboundPaths {
    return (this.outboundPaths ??= new OutboundPaths(pathDictionaryOf(this.entry)));
  }

  /** @internal */
  transmitState(state: WireState): void {
    this.sendState(state);
  }

  /** @internal */
  sentPatch(length: number): void {
    this.entry.lastDiffBytes = length;
  }
}

/** Both halves of a transfer whose side sends and receives states. */
class TransferHalves {
  constructor(
    readonly sender: StateSender,
    readonly receiver: StateReceiver,
  ) {}
}
