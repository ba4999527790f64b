import type { SendLabel, SendPayload } from "../../choreography/index.js";
import type { ObjectDescriptor } from "../../descriptor/object-descriptor.js";
import { AccessDeniedError } from "../../exchange/access-denied-error.js";
import { OneEntrySet } from "../../exchange/entry-set.js";
import type { Exchange } from "../../exchange/exchange.js";
import type { ObjectEntry } from "../../exchange/object-entry.js";
import type { Exposer, ExposerPlace, StateSink } from "../../exchange/participants.js";
import type { ObjectState } from "../../state/object-state.js";
import { sendWhileOpen } from "../link-ending.js";
import { LINK_END, type LinkParticipant } from "../link-participant.js";
import type { ObjectEvents, ObjectSession } from "../messages.js";
import type { AccessPayload, AckPayload, VersionPayload } from "../object-session.js";
import { ObjectTransfer, type TransferLink } from "../object-transfer.js";
import type { StateSender } from "../state-sender.js";
import type { WireState } from "../wire-state.js";
import type { Generation, TagReport } from "./generation.js";

const UPSTREAM_PLACE: ExposerPlace = Object.freeze({ kind: "upstream" });

/** Bits of ParentObject.denied: what the parent denies on the session (a number, not a set: one per object). */
const ACCESS_BIT = { observe: 1, expose: 2 } as const;

/**
 * The child's side of one object's session. It is the stand-in exposer while the parent elected an
 * exposer elsewhere (the data arrives through it), and an observer while the parent needs the data
 * from this subtree (the states it sees go up).
 */
export class ParentObject extends ObjectTransfer implements StateSink, Exposer, LinkParticipant {
  readonly id: number;
  readonly capacity = 0;
  readonly assignedEntries = new OneEntrySet();
  decided = false;
  assignedHere = false;
  /** The epoch of the parent's last decision (see ObjectState.epoch). */
  epoch = 0;
  private needed = false;
  private closing = false;
  private disposed = false;
  private reported: TagReport;
  /** What the parent denies on this session: lifted when it ends (the next parent, or this node, decides anew). */
  private denied = 0;

  constructor(
    readonly generation: Generation,
    private readonly exchange: Exchange,
    readonly entry: ObjectEntry,
    private readonly session: ObjectSession<"Down">,
    interest: TagReport,
  ) {
    super();
    this.id = exchange.nextId();
    this.reported = interest;
    this.expect(entry.state);
    session.lane("down").serve(this);
    session.onEnd(this);
  }

  /** @internal The connection this session runs in. */
  get [LINK_END](): Generation {
    return this.generation;
  }

  /** The object (see ObjectTransfer.descriptor). */
  get descriptor(): ObjectDescriptor {
    return this.entry.descriptor;
  }

  /** @internal The link's control session, which the object's states go through. */
  protected get transferLink(): TransferLink {
    return this.generation.control;
  }

  /** Where this stand-in is: the parent's side of the tree. */
  get place(): ExposerPlace {
    return UPSTREAM_PLACE;
  }

  /** The session ended (Closed, a fault, or the link's end). */
  sessionEnded(): void {
    this.dispose();
  }

  // ---- the parent's lane (handlers named after the protocol's labels) -----------------------------

  Assign(payload: VersionPayload): void {
    this.decide(true, payload);
  }

  Release(payload: VersionPayload): void {
    this.decide(false, payload);
  }

  Need(payload: VersionPayload): void {
    this.setNeeded(true, payload);
  }

  Unneed(payload: VersionPayload): void {
    this.setNeeded(false, payload);
  }

  StateDown(state: WireState): void {
    this.stateFromParent(state);
  }

  AckDown(ack: AckPayload): void {
    this.acknowledged(ack);
  }

  Closed(): void {
    this.dispose();
  }

  Denied({ access, reason }: AccessPayload): void {
    if (this.closing) return;
    this.denied |= ACCESS_BIT[access];
    this.exchange.setAccess(this.entry, access, new AccessDeniedError(this.entry.descriptor, access, reason ?? ""));
  }

  Granted({ access }: AccessPayload): void {
    if (this.closing) return;
    this.denied &= ~ACCESS_BIT[access];
    this.exchange.setAccess(this.entry, access, undefined);
  }

  /** @internal */
  sendState(state: WireState): void {
    this.tell("StateUp", state);
    this.generation.congestion.check();
  }

  /** @internal */
  holdsBack(sender: StateSender): boolean {
    return this.generation.congestion.holdsBack(sender);
  }

  /** @internal */
  sendAck(ack: AckPayload): void {
    this.tell("AckUp", ack);
  }

  /** Sends the subtree's changed interest. */
  report(interest: TagReport): void {
    if (this.closing) return;
    if (interest.observed === this.reported.observed && interest.capacity === this.reported.capacity) return;
    this.reported = interest;
    this.tell("Interest", interest);
  }

  /** No interest left: Close, then the parent answers Closed. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.forgetSender();
    this.generation.forget(this);
    this.withdrawRoles();
    if (this.session.state === "open") this.generation.guard(() => this.session.lane("up").send("Close", {}));
    this.disposed = true;
  }

  // ---- the parent's decisions ---------------------------------------------------------------------

  private decide(assignedHere: boolean, payload: VersionPayload): void {
    if (this.closing) return;
    const epoch = payload.epoch ?? 0;
    if (payload.version !== undefined) this.exchange.raiseVersionFloor(this.entry, payload.version, epoch);
    this.epoch = epoch;
    this.decided = true;
    this.assignedHere = assignedHere;
    this.exchange.reelect(this.entry);
  }

  private setNeeded(needed: boolean, payload: VersionPayload): void {
    if (this.closing || needed === this.needed) return;
    this.needed = needed;
    if (needed) {
      const base = this.generation.link.parentHolds.get(this.entry.key);
      this.resume(payload.version, payload.epoch ?? 0, base);
      this.exchange.addObjectObserver(this.entry.descriptor, this); // now observed: our exposer is elected
      this.stateChanged();
    } else {
      this.exchange.removeObjectObserver(this.entry, this);
    }
  }

  // ---- as the observer the parent stands for ------------------------------------------------------

  stateChanged(): void {
    const state = this.entry.state;
    if (!this.needed || this.closing || state === undefined || this.entry.assignee === this) return;
    this.update(state);
  }

  // ---- as the stand-in exposer --------------------------------------------------------------------

  electedFor(): void {
    const held = this.held;
    if (held !== undefined) this.apply(held);
  }

  releasedFrom(): void {}

  private stateFromParent(wire: WireState): void {
    if (this.closing) return;
    const state = this.receive(wire);
    if (state !== undefined && this.entry.assignee === this) this.apply(state);
  }

  /**
   * Makes `state`, the parent's, the object's state here, even if it orders before what this node holds:
   * the parent decided who exposes the object, so its state is the latest.
   */
  private apply(state: ObjectState<unknown>): void {
    this.exchange.take(this.entry, this, state, "adopted");
  }

  private withdrawRoles(): void {
    for (const access of ["observe", "expose"] as const) if ((this.denied & ACCESS_BIT[access]) !== 0) this.exchange.setAccess(this.entry, access, undefined);
    this.denied = 0;
    if (this.needed) {
      this.needed = false;
      this.exchange.removeObjectObserver(this.entry, this);
    }
    if (this.decided) {
      this.decided = false;
      this.exchange.reelect(this.entry);
    }
  }

  /** Sends on the child's lane while the session runs and is not closing. */
  private tell<L extends SendLabel<ObjectEvents, "Down">>(label: L, payload: SendPayload<ObjectEvents, "Down", L>): void {
    if (this.closing) return;
    sendWhileOpen(this.generation.control, this.session, "up", label, payload);
  }

  /** The link's congestion no longer holds this object's sender (its session is ending). */
  private forgetSender(): void {
    const sender = this.outbound;
    if (sender !== undefined) this.generation.congestion.forget(sender);
  }

  /** The session ended: undo every registration. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closing = true;
    this.forgetSender();
    const base = this.resumeBase;
    if (base !== undefined) this.generation.link.parentHolds.set(this.entry.key, base);
    this.generation.forget(this);
    this.withdrawRoles();
  }
}
