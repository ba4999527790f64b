import { CodecError, LabelMismatch, SchemaMismatch, type SendLabel, type SendPayload } from "../../choreography/index.js";
import type { ObjectDescriptor } from "../../descriptor/object-descriptor.js";
import type { AccessDeniedError } from "../../exchange/access-denied-error.js";
import type { EntrySet } from "../../exchange/entry-set.js";
import type { Exchange } from "../../exchange/exchange.js";
import { ObjectEntry } from "../../exchange/object-entry.js";
import type { Exposer, ExposerPlace, StateSink } from "../../exchange/participants.js";
import { epochOf, isStateOf, type ObjectState } from "../../state/object-state.js";
import { type Version } from "../../state/version.js";
import type { ObjectEvents, ObjectSession, OpenPayload } from "../messages.js";
import type { AckPayload } from "../object-session.js";
import { sendWhileOpen } from "../link-ending.js";
import { LINK_END, type LinkParticipant } from "../link-participant.js";
import { ObjectTransfer, type TransferLink } from "../object-transfer.js";
import type { StateSender } from "../state-sender.js";
import { carriesData } from "../wire/state-codec.js";
import type { WireState } from "../wire-state.js";
import { denialOf, type Denied } from "../../trust/decision.js";
import { ChildTag } from "./child-tag.js";
import type { DownstreamLink } from "./downstream-link.js";


// ChildObject flags, one field for ten booleans (a router holds a ChildObject per object per link).
/** The child's subtree observes the object (registered as an observer here). */
const OBSERVING = 1;
/** The child's subtree can expose the object (registered as an exposer here). */
const EXPOSING = 2;
/** The child was asked to send states up (Need). */
const NEEDING = 4;
/** The child's opening interest was taken (decisions may be sent). */
const STARTED = 8;
/** The session ended: nothing more is sent or registered. */
const ENDED = 16;
/** The child was told (Denied) that it may not observe the object. */
const TOLD_OBSERVE = 32;
/** The child was told (Denied) that it may not expose the object. */
const TOLD_EXPOSE = 64;
/** The child asks to observe the object (registered only while its grants allow it). */
const WANT_OBSERVED = 128;
/** The link's grants (or its quota) deny the child observing the object: no state goes down. */
const OBSERVE_DENIED = 256;
/** The session went over the link's quota of objects. */
const OVER_QUOTA = 512;

/**
 * The child's interest in one object, as the parent's exchange sees it. It is its own EntrySet, the
 * exchange's record of what it is elected for (at most its object): a router holds one per object per
 * link, and a set of its own would cost an object more for each.
 */
export class ChildObject extends ObjectTransfer implements StateSink, Exposer, LinkParticipant, EntrySet {
  readonly id: number;
  /** The entry the exchange elected this session's own exposer for (not through a tag), if any. */
  private elected: ObjectEntry | undefined;
  /** Made only while the object does not exist here (see `entry`). */
  private detached: ObjectEntry | undefined;
  /** Which of the link's exposers (this one, or a tag) the object is elected to, if any. */
  private assignedVia: Exposer | undefined;
  private flags = 0;
  /** The capacity the child asked for (its grants decide whether it is registered). */
  private wantCapacity = 0;

  constructor(
    readonly link: DownstreamLink,
    public descriptor: ObjectDescriptor,
    private readonly session: ObjectSession<"Up">,
    /** The session went over the link's quota of objects: it is denied everything. */
    overQuota: boolean,
  ) {
    super();
    this.id = link.exchange.nextId();
    if (overQuota) this.mark(OVER_QUOTA, true);
    session.lane("up").serve(this);
    session.onEnd(this);
  }

  /** @internal The link this session runs in. */
  get [LINK_END](): DownstreamLink {
    return this.link;
  }

  private get exchange(): Exchange {
    return this.link.exchange;
  }

  /** Whether `flag` (OBSERVING, EXPOSING, ...) is set. */
  private is(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  private mark(flag: number, on: boolean): void {
    this.flags = on ? this.flags | flag : this.flags & ~flag;
  }

  /** The session ended (Close, a fault, or the link's end); a fault of the child's making is reported. */
  sessionEnded(error: Error | undefined): void {
    if (error instanceof SchemaMismatch || error instanceof LabelMismatch || error instanceof CodecError) this.link.violated(`${this.descriptor.toString()}: ${error.message}`);
    this.end();
  }

  /**
   * The object as the parent's exchange has it now. A child's session does not keep an object alive by
   * itself (else announcements and sessions would keep each other alive after the last contract went):
   * only the child's interest (observing, exposing) does. So the object may go and come back while the
   * session lasts; this is always the live entry, or a detached one while the object does not exist here.
   */
  get entry(): ObjectEntry {
    const live = this.exchange.objects.get(this.descriptor.key);
    if (live === undefined) return (this.detached ??= new ObjectEntry(this.descriptor, []));
    this.detached = undefined;
    // The node's interned descriptor: the one decoded from the child's Open can then be collected.
    if (this.descriptor !== live.descriptor) this.descriptor = live.descriptor;
    return live;
  }

  // ---- the child's lane (handlers named after the protocol's labels) ------------------------------

  Interest(interest: { readonly observed: boolean; readonly capacity: number }): void {
    this.setInterest(interest.observed, interest.capacity);
  }

  get assignedEntries(): EntrySet {
    return this;
  }

  // ---- as the exchange's EntrySet of this exposer -------------------------------------------------

  get size(): number {
    return this.elected === undefined ? 0 : 1;
  }

  has(entry: ObjectEntry): boolean {
    return this.elected === entry;
  }

  add(entry: ObjectEntry): void {
    if (this.elected !== undefined && this.elected !== entry) throw new Error("a child's object session was elected for a second object; it exposes one");
    this.elected = entry;
  }

  delete(entry: ObjectEntry): boolean {
    if (this.elected !== entry) return false;
    this.elected = undefined;
    return true;
  }

  *[Symbol.iterator](): Iterator<ObjectEntry> {
    if (this.elected !== undefined) yield this.elected;
  }

  StateUp(state: WireState): void {
    this.stateFromChild(state);
  }

  AckUp(ack: AckPayload): void {
    this.acknowledged(ack);
  }

  Close(): void {
    this.end();
    if (this.session.state === "open") this.session.lane("down").send("Closed", {});
  }

  /** @internal */
  sendState(state: WireState): void {
    this.tell("StateDown", state);
    this.link.congestion.check();
  }

  /** @internal */
  holdsBack(sender: StateSender): boolean {
    return this.link.congestion.holdsBack(sender);
  }

  /** @internal */
  sendAck(ack: AckPayload): void {
    this.tell("AckDown", ack);
  }

  /** @internal The link's control session, which the object's states go through. */
  protected get transferLink(): TransferLink {
    return this.link.control;
  }

  /** Where this candidate is: the child's link. */
  get place(): ExposerPlace {
    return this.link.place;
  }

  /** Whether the child's observation of the object is registered here (asked for and granted). */
  get observing(): boolean {
    return this.is(OBSERVING);
  }

  /** How many objects are elected to this session's own exposer (0 or 1; not those elected through a tag). */
  get exposing(): number {
    return this.size;
  }

  /** The capacity registered with the exchange: what the child asked for while its grants let it expose, else 0. */
  get capacity(): number {
    return this.is(EXPOSING) ? this.wantCapacity : 0;
  }

  /** What the child most likely holds (kept for its reconnect: the base of diffs then). */
  get childHolds(): ObjectState<unknown> | undefined {
    return this.resumeBase;
  }

  /**
   * Takes the child's opening interest, then tells it its standing (Assign or Release) once, then the
   * state if it wants it. `pendingTag`: one of the child's tag exposers was elected before it opened.
   */
  start(open: OpenPayload, resumedBase: ObjectState<unknown> | undefined, pendingTag: Exposer | undefined): void {
    // What the child says it holds is a claim, not a state: it never moves the object's version floor
    // here. A child that ran ahead during a partition follows this node's exposer instead (see the
    // upstream link's stand-in, which adopts the parent's states whatever their order).
    const have = open.have;
    if (have !== undefined) {
      const epoch = open.epoch ?? 0;
      this.resume(have, epoch, this.baseFor(have, epoch, resumedBase));
    }
    this.setInterest(open.observed, open.capacity);
    if (pendingTag !== undefined && this.entry.assignee === pendingTag) this.assignedVia = pendingTag;
    this.mark(STARTED, true);
    this.sendDecision();
    this.pushState();
  }

  /**
   * The state of version `have` if this node has it: what it sent before the child's reconnect
   * (`resumedBase`) or before the child closed the object, or the current state (then only the flag goes).
   */
  private baseFor(have: Version, epoch: number, resumedBase: ObjectState<unknown> | undefined): ObjectState<unknown> | undefined {
    if (resumedBase !== undefined && isStateOf(resumedBase, have, epoch)) return resumedBase;
    const current = this.entry.state;
    if (current !== undefined && isStateOf(current, have, epoch)) return current;
    return this.link.heldBefore(this.descriptor.key, have, epoch);
  }

  /** Tells the child its current standing (Assign or Release), with the election's epoch and newest version. */
  private sendDecision(): void {
    if (this.is(ENDED) || !this.is(STARTED)) return;
    const entry = this.entry;
    const version = entry.latestVersion;
    const epoch = entry.epoch;
    this.tell(this.assignedVia !== undefined ? "Assign" : "Release", version === undefined ? { epoch } : { version, epoch });
    this.reviewNeed();
  }

  // ---- as an observer -----------------------------------------------------------------------------

  stateChanged(entry: ObjectEntry): void {
    this.pushState(entry);
  }

  /**
   * Sends the current state down if the child wants it and is not itself its source (`entry`: the live
   * one, when known). Never before the child heard its standing: a child takes a state that orders before
   * what it holds only from a parent that decided it does not expose the object (see start()).
   */
  pushState(entry: ObjectEntry = this.entry): void {
    if (!this.is(STARTED) || this.is(ENDED) || this.assignedVia !== undefined || this.is(OBSERVE_DENIED)) return;
    const state = entry.state;
    if (state === undefined) return;
    if (this.is(OBSERVING) || this.link.observesByTag(entry)) this.update(state);
  }

  /** This node's parent denied (or granted again) `access` to the object for the whole subtree: the child is told too. */
  accessChanged(access: "observe" | "expose", error: AccessDeniedError | undefined): void {
    this.tell(error === undefined ? "Granted" : "Denied", error === undefined ? { access } : { access, reason: error.reason });
  }

  // ---- as an exposer candidate --------------------------------------------------------------------

  electedFor(entry: ObjectEntry): void {
    this.link.auditElection(entry, true);
    this.assign(this);
  }

  releasedFrom(entry: ObjectEntry): void {
    this.link.auditElection(entry, false);
    this.release(this);
  }

  observersChanged(): void {
    this.reviewNeed();
  }

  epochChanged(): void {
    this.renewEpoch(this);
  }

  /** The object stays elected to the child through `via` in a new epoch: the child is told with a new Assign. */
  renewEpoch(via: Exposer): void {
    if (this.assignedVia === via) this.sendDecision();
  }

  assign(via: Exposer): void {
    if (this.is(ENDED) || this.assignedVia === via) return;
    this.assignedVia = via;
    this.sendDecision();
  }

  release(via: Exposer): void {
    if (this.is(ENDED) || this.assignedVia !== via) return;
    this.assignedVia = undefined;
    this.sendDecision();
    this.pushState();
  }

  /** Asks the child for states while it exposes the object and someone outside its subtree observes it. */
  private reviewNeed(): void {
    if (this.is(ENDED) || !this.is(STARTED)) return;
    const need = this.assignedVia !== undefined && this.entry.observedBeyond((sink) => this.link.owns(sink));
    if (need === this.is(NEEDING)) return;
    this.mark(NEEDING, need);
    const state = this.entry.state;
    this.tell(need ? "Need" : "Unneed", state === undefined ? {} : { version: state.version, epoch: epochOf(state) });
  }

  private stateFromChild(wire: WireState): void {
    // Need told the child which version this node holds: a reconnecting exposer diffs against it.
    const state = this.receive(wire);
    const via = this.assignedVia;
    if (state === undefined || via === undefined || this.entry.assignee !== via) return;
    if (carriesData(wire)) {
      if (!this.link.mayPush(this.descriptor, wire)) return;
    }
    // A state of another election than the one in force is dropped (publish() checks the epoch).
    this.exchange.take(this.entry, via, state, "published");
  }

  /** Whether the session ended (its interest is out of the exchange). */
  get ended(): boolean {
    return this.is(ENDED);
  }

  /** Whether the session went over the link's quota of objects. */
  get overQuota(): boolean {
    return this.is(OVER_QUOTA);
  }

  /**
   * What the link's grants (or its quota) deny the child for this object: judged when the child's
   * interest or the grants change, never per state. Marks OBSERVE_DENIED.
   */
  private judge(): { readonly observe: Denied | undefined; readonly expose: Denied | undefined } {
    const trust = this.link.trust;
    const grants = trust.grants;
    let observe: Denied | undefined;
    let expose: Denied | undefined;
    if (this.is(OVER_QUOTA)) {
      const quota = grants.quota?.objects ?? 0;
      observe = trust.overQuota("observe", this.descriptor, "objects", quota);
      expose = trust.overQuota("expose", this.descriptor, "objects", quota);
    } else if (!grants.allowsEverything) {
      observe = denialOf(grants.observe(this.descriptor));
      expose = denialOf(grants.expose(this.descriptor));
    }
    this.mark(OBSERVE_DENIED, observe !== undefined);
    return { observe, expose };
  }

  /** The link's grants changed: judges the object again and registers (or withdraws) what the child asked for. */
  regrant(): void {
    if (this.is(ENDED) || !this.is(STARTED)) return;
    this.setInterest(this.is(WANT_OBSERVED), this.wantCapacity);
  }

  /**
   * Tells the child (once per change) that it may not have `access` it asks for, with the reason, or
   * that it may again; a denial is audited.
   */
  private tellAccess(access: "observe" | "expose", wanted: boolean, denied: Denied | undefined, told: number): void {
    if (denied !== undefined && wanted && !this.is(told)) {
      this.mark(told, true);
      this.link.audited(denied, this.descriptor);
      this.tell("Denied", { access, reason: denied.reason });
    } else if (denied === undefined && this.is(told)) {
      this.mark(told, false);
      this.tell("Granted", { access });
    }
  }

  private setInterest(wantObserved: boolean, wantCapacity: number): void {
    if (this.is(ENDED)) return;
    this.mark(WANT_OBSERVED, wantObserved);
    this.wantCapacity = wantCapacity;
    const denied = this.judge();
    this.tellAccess("observe", wantObserved, denied.observe, TOLD_OBSERVE);
    this.tellAccess("expose", wantCapacity > 0, denied.expose, TOLD_EXPOSE);
    const observed = wantObserved && denied.observe === undefined;
    const capacity = denied.expose === undefined ? wantCapacity : 0;
    const descriptor = this.entry.descriptor;
    // While the exchange lists the session as an observer or exposer, the link finds it through the
    // entry; while that changes, the link keeps it at hand.
    const changes = observed !== this.is(OBSERVING) || capacity > 0 !== this.is(EXPOSING);
    if (changes) this.link.unlist(this);
    if (observed && !this.is(OBSERVING)) {
      this.mark(OBSERVING, true);
      this.exchange.addObjectObserver(descriptor, this);
    } else if (!observed && this.is(OBSERVING)) {
      this.mark(OBSERVING, false);
      this.exchange.removeObjectObserver(this.entry, this);
    }
    if (capacity > 0 && !this.is(EXPOSING)) {
      this.mark(EXPOSING, true);
      this.exchange.addObjectExposer(descriptor, this);
    } else if (capacity === 0 && this.is(EXPOSING)) {
      this.mark(EXPOSING, false);
      this.exchange.removeObjectExposer(this.entry, this);
    }
    if (changes && (observed || capacity > 0)) this.link.listed(this);
    this.pushState();
  }

  /** Sends on the parent's lane while the session runs (a session that ended takes nothing more). */
  private tell<L extends SendLabel<ObjectEvents, "Up">>(label: L, payload: SendPayload<ObjectEvents, "Up", L>): void {
    if (this.is(ENDED)) return;
    sendWhileOpen(this.link.control, this.session, "down", label, payload);
  }

  /**
   * Leaves the exchange (Close, fault, or the link's end) without telling the child anything more; what
   * the child holds is kept for its reopen or reconnect. Idempotent.
   */
  end(): void {
    if (this.is(ENDED)) return;
    this.mark(ENDED, true);
    this.link.forget(this);
    const sender = this.outbound;
    if (sender !== undefined) this.link.congestion.forget(sender);
    const entry = this.entry;
    if (this.is(OBSERVING)) this.exchange.removeObjectObserver(entry, this);
    if (this.is(EXPOSING)) this.exchange.removeObjectExposer(entry, this);
    this.mark(OBSERVING | EXPOSING, false);
    // Still elected to one of the child's tag exposers (the child closed while an Assign was on its
    // way): the assignment outlives this session, so announce the object again.
    const via = this.assignedVia;
    if (via instanceof ChildTag && entry.assignee === via) this.link.assignedByTag(entry, via);
  }
}
