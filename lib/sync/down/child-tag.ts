import type { TagDescriptor } from "../../descriptor/tag-descriptor.js";
import type { AccessDeniedError } from "../../exchange/access-denied-error.js";
import type { Exchange } from "../../exchange/exchange.js";
import { ObjectEntry } from "../../exchange/object-entry.js";
import type { Exposer, ExposerPlace, TagSink } from "../../exchange/participants.js";
import type { TagEntry } from "../../exchange/tag-entry.js";
import type { TagInterestPayload } from "../messages.js";
import { denialOf, type Denied } from "../../trust/decision.js";
import type { DownstreamLink } from "./downstream-link.js";
import { LINK_END, type LinkParticipant } from "../link-participant.js";

/** The child's interest in one tag, as the parent's exchange sees it. */
export class ChildTag implements TagSink, Exposer, LinkParticipant {
  readonly id: number;
  /** What is registered here: the child's capacity, 0 while exposing the tag is denied. */
  capacity = 0;
  /** Whether the child's tag observation is registered here (asked for and granted). */
  observed = false;
  readonly assignedEntries = new Set<ObjectEntry>();
  private registeredObserver: TagEntry | undefined;
  private registeredExposer: TagEntry | undefined;
  /** What the child asked for. */
  private wantObserved = false;
  private wantCapacity = 0;
  /** Whether the child was told (TagDenied) it may not observe, or expose, the tag. */
  private toldObserve = false;
  private toldExpose = false;

  constructor(
    readonly link: DownstreamLink,
    private readonly exchange: Exchange,
    readonly descriptor: TagDescriptor,
  ) {
    this.id = exchange.nextId();
  }

  /** @internal The link this tag interest runs in. */
  get [LINK_END](): DownstreamLink {
    return this.link;
  }

  /** Where this candidate is: the child's link. */
  get place(): ExposerPlace {
    return this.link.place;
  }

  get key(): string {
    return this.descriptor.key;
  }

  /** Whether the child still asks for anything of the tag. */
  get wanted(): boolean {
    return this.wantObserved || this.wantCapacity > 0;
  }

  update(interest: TagInterestPayload): void {
    this.wantObserved = interest.observed;
    this.wantCapacity = interest.capacity;
    this.apply();
  }

  /** The link's grants changed: registers (or withdraws) what the child asks for, as they allow. */
  regrant(): void {
    this.apply();
  }

  /** Whether the child may be elected for `entry` through this tag (its grants allow exposing the object). */
  mayExpose(entry: ObjectEntry): boolean {
    const grants = this.link.trust.grants;
    return grants.allowsEverything || grants.expose(entry.descriptor).allowed;
  }

  /** Registers what the child asks for and its grants allow; tells the child of what they deny. */
  private apply(): void {
    const grants = this.link.trust.grants;
    const observeDenied = this.wantObserved && !grants.allowsEverything ? denialOf(grants.tag(this.descriptor, "observe")) : undefined;
    const exposeDenied = this.wantCapacity > 0 && !grants.allowsEverything ? denialOf(grants.tag(this.descriptor, "expose")) : undefined;
    this.toldObserve = this.tell("observe", observeDenied, this.toldObserve);
    this.toldExpose = this.tell("expose", exposeDenied, this.toldExpose);
    const observed = this.wantObserved && observeDenied === undefined;
    const capacity = exposeDenied === undefined ? this.wantCapacity : 0;
    if (observed && !this.registeredObserver) {
      this.observed = true;
      this.registeredObserver = this.exchange.addTagObserver(this.descriptor, this);
      for (const entry of this.registeredObserver.objects) this.objectAdded(entry);
    } else if (!observed && this.registeredObserver) {
      const tag = this.registeredObserver;
      this.observed = false;
      this.registeredObserver = undefined;
      this.exchange.removeTagObserver(tag, this);
      for (const entry of tag.objects) this.link.reviewAnnouncement(entry);
    }
    this.capacity = capacity;
    if (capacity > 0 && !this.registeredExposer) {
      this.registeredExposer = this.exchange.addTagExposer(this.descriptor, this);
    } else if (capacity === 0 && this.registeredExposer) {
      const tag = this.registeredExposer;
      this.registeredExposer = undefined;
      this.exchange.removeTagExposer(tag, this);
    }
  }

  /** Tells the child of a new denial of `access` (audited) or of its end; returns whether a denial is told now. */
  private tell(access: "observe" | "expose", denied: Denied | undefined, told: boolean): boolean {
    if (denied !== undefined && !told) {
      this.link.audited(denied, this.descriptor);
      this.link.tellTag("TagDenied", { tag: this.descriptor, access, reason: denied.reason });
      return true;
    }
    if (denied === undefined && told) {
      if (access === "observe" ? this.wantObserved : this.wantCapacity > 0) this.link.tellTag("TagGranted", { tag: this.descriptor, access });
      return false;
    }
    return told;
  }

  /** This node's parent denied (or granted again) `access` to the tag for the whole subtree: the child is told too. */
  accessChanged(access: "observe" | "expose", error: AccessDeniedError | undefined): void {
    this.link.tellTag(error === undefined ? "TagGranted" : "TagDenied", error === undefined ? { tag: this.descriptor, access } : { tag: this.descriptor, access, reason: error.reason });
  }

  objectAdded(entry: ObjectEntry): void {
    this.link.reviewAnnouncement(entry);
    this.link.sessionFor(entry)?.pushState(entry);
  }

  stateChanged(entry: ObjectEntry): void {
    this.link.sessionFor(entry)?.pushState(entry);
  }

  objectRemoved(entry: ObjectEntry): void {
    this.link.reviewAnnouncement(entry);
  }

  electedFor(entry: ObjectEntry): void {
    this.link.auditElection(entry, true);
    this.link.assignedByTag(entry, this);
  }

  epochChanged(entry: ObjectEntry): void {
    this.link.sessionFor(entry)?.renewEpoch(this);
  }

  releasedFrom(entry: ObjectEntry): void {
    this.link.auditElection(entry, false);
    this.link.releasedByTag(entry, this);
  }

  observersChanged(entry: ObjectEntry): void {
    this.link.sessionFor(entry)?.observersChanged();
  }
}
