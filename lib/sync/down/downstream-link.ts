import type { Endpoint, SendPayload, SessionMux } from "../../choreography/index.js";
import type { ObjectDescriptor } from "../../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../../descriptor/tag-descriptor.js";
import { shortText } from "../../descriptor/short-text.js";
import type { LinkedNode } from "../linked-node.js";
import type { Exchange } from "../../exchange/exchange.js";
import { ObjectEntry } from "../../exchange/object-entry.js";
import { memberAt, memberCount, type MemberList } from "../../exchange/member-list.js";
import type { ObjectState } from "../../state/object-state.js";
import { type Version } from "../../state/version.js";
import { caughtError, caughtMessage } from "../caught-error.js";
import { LinkControl } from "../link-control.js";
import { ownedBy } from "../link-participant.js";
import { LinkCongestion, type OutboundQueue } from "../link-congestion.js";
import { linkFormats } from "../link-formats.js";
import { sendWhileOpen } from "../link-ending.js";
import { type LinkLimitEvent, type LinkLimits, resolveLinkLimits } from "../link-limits.js";
import { linkDataLimits, type LinkOptions } from "../link-options.js";
import type { ObjectSession, OpenPayload, TagInterestPayload } from "../messages.js";
import { type LinkEvents, PROGRAM_HASH, PROTOCOL_VERSION, upProgram } from "../protocol.js";
import { resumeStoreOf } from "../resume-store.js";
import type { WireState } from "../wire-state.js";
import { Announcements } from "./announcements.js";
import { ChildHolds } from "./child-holds.js";
import { ChildLimits } from "./child-limits.js";
import { ChildObject } from "./child-object.js";
import { ChildInterests } from "./child-interests.js";
import { ChildTag } from "./child-tag.js";
import { LinkAudit } from "./link-audit.js";
import { PendingAssignments } from "./pending-assignments.js";
import { PushQuota } from "./push-quota.js";
import { LinkTrust, type LinkTrustOptions } from "../link-trust.js";
import type { Denied } from "../../trust/decision.js";
import type { Policy } from "../../trust/policy.js";


/** Settings of a parent's link to one child. */
export interface DownstreamLinkOptions extends LinkOptions, LinkTrustOptions {
  /** What the child may make this node hold, and how much is queued toward it; omitted ones take DEFAULT_LINK_LIMITS. */
  readonly linkLimits?: Partial<LinkLimits>;
  /** Told of each request refused over a limit and of each congestion; a flood makes many, so rate-limit what it logs. */
  readonly onLimit?: (event: LinkLimitEvent) => void;
  /**
   * Told of each object session the child broke (a message out of order, or one its schema refuses,
   * such as a version nothing orders after): that session ends, the link stays. Rate-limit what it logs.
   */
  readonly onViolation?: (what: string) => void;
}

/**
 * The parent's side (role Up) of the link to one child. In the parent's exchange it stands for the
 * child's whole subtree: an observer of what the subtree observes, a tag observer of its tags, and an
 * exposer candidate with the subtree's summed capacity. The child hears only of objects it observes or
 * is asked to expose. What the child can make it hold and queue is bounded by the link's limits (see
 * LinkLimits): requests over them are refused, and a link over the rate of opens or the bounds of its
 * queue is closed. With an `authenticate` option the child is authenticated from its Hello's token
 * (and again on each Refresh), and the link holds the grants of its principal under the policy: what
 * they deny is never registered here (a denied observer gets no states, a denied exposer counts with
 * zero capacity), and the child is told with Denied or TagDenied, decided per object session and tag
 * interest, never per state.
 */
export class DownstreamLink {
  /** Resolves when the link ends: undefined when it was closed cleanly, else the error. Never rejects. */
  readonly closed: Promise<Error | undefined>;
  private resolveClosed!: (result: Error | undefined) => void;
  private name: string | undefined;
  /** @internal How the link appears in the audit trail: its name, its address, its exposer's elections. */
  readonly audit: LinkAudit;
  private resumeToken: string | undefined;
  /** @internal The parent node's exchange, where the child's interests are registered. */
  readonly exchange: Exchange;
  /** @internal The link's control session: its endpoint, keep-alive, acknowledgements and data limits. */
  readonly control: LinkControl<LinkEvents, "Up">;
  private readonly endpoint: Endpoint<LinkEvents, "Up">;
  /**
   * The child's object sessions that the exchange does not list as an observer or exposer of their
   * object (made at the first): the others are found through their entry (see `sessionOf`), so a link
   * holding a session per object keeps no map entry for each.
   */
  private unlisted: Map<string, ChildObject> | undefined;
  /** The child's object sessions that have not ended. */
  private objectSessions = 0;
  /** The child's tag interests: made at the first (most children only open objects). */
  private tags: Map<string, ChildTag> | undefined;
  /** Objects the child was told of with Announce (and not withdrawn). */
  private readonly announcements: Announcements;
  /** Objects elected to one of the child's tag exposers before the child opened their session. */
  private readonly pendingAssignments = new PendingAssignments<ChildTag>();
  /** Per object whose session ended, what the child most likely holds (for its reopen or reconnect). */
  private readonly childHolds: ChildHolds;
  /** What the child may make this node hold: its objects, tags, key lengths and opens. */
  private readonly limits: ChildLimits;
  /** @internal Holds senders back while the child reads too slowly. */
  readonly congestion: LinkCongestion;
  /** @internal The child's principal and what it may do. */
  readonly trust: LinkTrust;
  /** Object sessions that hold interest (not refused over the link's quota). */
  private heldObjects = 0;
  /** The bytes of states the child may push, under its grants' bytesPerSecond. */
  private readonly pushQuota: PushQuota;
  /** Refreshes of the child's credentials, one after the other (made at the first). */
  private refreshing: Promise<void> | undefined;
  /** What the child held when it last left, for diffs during its replay (dropped once Sync ends it). */
  private resumed: Map<string, ObjectState<unknown>> | undefined;
  /** The round trip the child's last Ping reported, in milliseconds. */
  private rtt: number | undefined;
  /**
   * @internal Where this link's exposers are, for introspection (their ExposerPlace): the child's name
   * once its Hello is accepted, and the id of the link's monitor registration, set by whoever registers it.
   */
  readonly place: { readonly kind: "link"; readonly link: LinkIdentity } = { kind: "link", link: { id: undefined, name: undefined } };

  /** Throws InvalidLimitsError or RangeError for bad `options.linkLimits`. */
  constructor(
    private readonly node: LinkedNode,
    mux: SessionMux & OutboundQueue,
    private readonly options: DownstreamLinkOptions = {},
    /** Called once the child's Hello is accepted, with its node name. */
    private readonly onWelcomed: (name: string) => void = noop,
  ) {
    this.exchange = node.exchange;
    const resolved = resolveLinkLimits(options.linkLimits);
    // The parts that call back into the link are handed the link itself, not a closure each: a router
    // holds a link per connection.
    const limits = (this.limits = new ChildLimits(resolved, this, options.onLimit));
    this.congestion = new LinkCongestion(mux, resolved, limits);
    this.childHolds = new ChildHolds(resolved.maxObjects);
    this.audit = new LinkAudit(options.request?.remoteAddress, options.audit, this);
    this.trust = new LinkTrust(options, this);
    this.pushQuota = new PushQuota(this);
    this.control = new LinkControl(upProgram, mux, options, linkDataLimits(options));
    this.endpoint = this.control.endpoint;
    this.announcements = new Announcements(this);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    void this.start();
  }

  /**
   * Serves the link once the child is welcomed; else ends it as the Hello's answer did. Once served,
   * the link waits for its control session's end as that session's end listener, not in a suspended
   * function: an idle link keeps only that.
   */
  private async start(): Promise<void> {
    const early = await this.run();
    if (early !== SERVING) this.end(early);
    else this.endpoint.onEnd(this);
  }

  /** @internal The control session ended (`error`: how), or the link went over a limit: the link ends after this turn. */
  sessionEnded(error: Error | undefined): void {
    queueMicrotask(() => this.end(this.limits.error ?? error));
  }

  private end(result: Error | undefined): void {
    try {
      this.detach();
    } finally {
      this.resolveClosed(result);
    }
  }

  /** @internal Ends the link at once with `message` (it went over one of its limits). */
  abort(message: string): void {
    this.endpoint.abort(message);
  }

  /** @internal Audits that a state of `object` the child pushed went over its quota of `rate` bytes per second. */
  overPushQuota(object: ObjectDescriptor, rate: number): void {
    this.audited(this.trust.overQuota("expose", object, "bytesPerSecond", rate), object);
  }

  /** The child's node name once its Hello arrived. */
  get peerName(): string | undefined {
    return this.name;
  }

  /** The round trip the child measured last on its keep-alive (it reports it in its Pings), in milliseconds. */
  get roundTripMs(): number | undefined {
    return this.rtt;
  }

  /**
   * What the child's subtree does through this link now: `observed`, the objects it observes (by
   * object session or by tag), and `exposed`, the objects whose elected exposer is in it. Walks the
   * link's sessions and tags: for a monitor's sample, not for every message.
   */
  interestCounts(): { readonly observed: number; readonly exposed: number } {
    let observed = 0;
    let exposed = 0;
    for (const child of this.childObjects()) {
      if (child.observing || this.observesByTag(child.entry)) observed++;
      exposed += child.exposing;
    }
    for (const tag of this.tags?.values() ?? []) exposed += tag.assignedEntries.size;
    return { observed, exposed };
  }

  /** The principal the child authenticated as, if the link authenticates. */
  get principal(): string | undefined {
    return this.trust.principalId;
  }

  /**
   * Takes `policy` (from parsePolicy) for this link from now on: what the child may observe and expose
   * is re-evaluated at once. A revoked observer stops receiving and is told; a revoked exposer is
   * released (another candidate is elected); what is newly granted is served.
   */
  setPolicy(policy: Policy | undefined): void {
    this.trust.setPolicy(policy);
  }

  /**
   * Says Farewell (the child answers Bye) and waits for the end. `refused`: the parent no longer accepts
   * the child's credentials (the child takes it as a refusal).
   */
  async close(reason = "the parent is closing", refused = false): Promise<void> {
    const farewell = () => this.endpoint.lane("decisions").send("Farewell", refused ? { reason, refused } : { reason });
    await this.control.leave(this.name !== undefined, farewell, reason, "the child did not answer Farewell");
    await this.closed;
  }

  /**
   * Takes the child's Hello and, if it is accepted, serves the link's control session: resolves with
   * SERVING then, else with how the link ended (refused, or closed before its Hello was accepted).
   */
  private async run(): Promise<Error | undefined | typeof SERVING> {
    try {
      const hello = await this.endpoint.recv("Hello");
      this.audit.claimedName = hello.node;
      if (hello.protocol !== PROTOCOL_VERSION || hello.program !== PROGRAM_HASH) {
        const reason =
          `protocol mismatch: this node speaks hakuban link protocol ${PROTOCOL_VERSION} (${PROGRAM_HASH}), ` +
          `${hello.node} speaks ${hello.protocol} (${hello.program}); upgrade both nodes to the same hakuban version`;
        this.trust.refused(reason);
        return await this.refuse(hello.node, reason);
      }
      try {
        await this.trust.admit(hello.token);
      } catch (error) {
        return await this.refuse(hello.node, caughtMessage(error));
      }
      if (this.endpoint.state !== "open") return await this.endpoint.closed;
      this.budgetPushes();
      this.name = hello.node;
      this.place.link.name = hello.node;
      this.resumeToken = hello.resume;
      const principal = this.trust.principalId;
      const expiresAt = this.trust.grants.expiresAt;
      const patches = this.exchange.formatDiffs.listed();
      this.control.formats = linkFormats(this.exchange.formatDiffs, patches, hello.patches ?? []);
      this.endpoint.send("Welcome", {
        node: this.node.name,
        ...(principal === undefined ? {} : { principal }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
        ...(patches.length === 0 ? {} : { patches }),
      });
      this.onWelcomed(hello.node);
      this.control.keepPeerAlive(hello.node, noop);
      this.resumed = resumeStoreOf(this.exchange).take(hello.resume);
      this.endpoint.lane("interests").serve(new ChildInterests(this));
      return SERVING;
    } catch (error) {
      return caughtError(error);
    }
  }

  // ---- the child's interests lane (see ChildInterests) --------------------------------------------

  /** @internal The child replayed what it held: the states kept from its last visit are dropped. */
  synced(): void {
    this.resumed = undefined;
    this.endpoint.lane("decisions").send("Synced", {});
  }

  /** @internal The child's keep-alive, with the round trip it measured last. */
  pinged(rtt: number | undefined): void {
    if (rtt !== undefined) this.rtt = rtt;
    this.endpoint.lane("decisions").send("Pong", {});
    this.congestion.check();
  }

  /** @internal The child refreshes its credentials with `token` (refreshes run one after the other). */
  refreshWith(token: string): void {
    this.refreshing = (this.refreshing ?? Promise.resolve()).then(() => this.refresh(token));
  }

  /** @internal The child says goodbye. */
  goodbye(): void {
    this.control.answerGoodbye(() => this.endpoint.lane("decisions").send("Farewell", { reason: "goodbye" }));
  }

  /** Answers Hello with Refuse (`reason`) and waits for the end. */
  private async refuse(node: string, reason: string): Promise<Error> {
    this.endpoint.send("Refuse", { reason });
    await this.endpoint.closed;
    return new Error(`refused ${node}: ${reason}`);
  }

  /** Re-authenticates the child with `token`: new grants and Refreshed, or Farewell (refused) when it is not accepted. */
  private async refresh(token: string): Promise<void> {
    try {
      await this.trust.refresh(token);
    } catch (error) {
      if (this.endpoint.state === "open" && !this.control.leaving) {
        void this.close(`the refreshed credentials were refused: ${caughtMessage(error)}`, true);
      }
      return;
    }
    if (this.endpoint.state !== "open" || this.control.leaving) return;
    const expiresAt = this.trust.grants.expiresAt;
    this.guard(() => this.endpoint.lane("decisions").send("Refreshed", expiresAt === undefined ? {} : { expiresAt }));
  }

  /** Takes the push quota of the link's grants (a changed rate starts a full budget). */
  private budgetPushes(): void {
    this.pushQuota.setRate(this.trust.grants.quota?.bytesPerSecond);
  }

  /**
   * @internal Whether the child's push quota lets `wire`, a state of `object`, through; a state over it
   * is dropped (audited at most once a second), and a later one within it carries the latest data.
   */
  mayPush(object: ObjectDescriptor, wire: WireState): boolean {
    return this.pushQuota.mayPush(object, wire);
  }

  /** @internal The grants changed (see TrustedLink): every object session, tag interest, announcement and tag election is judged again. */
  regrant(): void {
    this.budgetPushes();
    if (this.endpoint.state !== "open" || this.name === undefined) return;
    for (const child of this.childObjects()) child.regrant();
    for (const tag of [...(this.tags?.values() ?? [])]) tag.regrant();
    for (const key of this.announcements.keys()) {
      const entry = this.exchange.objects.get(key);
      if (entry !== undefined) this.reviewAnnouncement(entry);
    }
    for (const tag of this.tags?.values() ?? []) {
      const entry = this.exchange.tags.get(tag.key);
      if (entry === undefined) continue;
      for (const object of [...entry.objects]) {
        if (tag.observed) this.reviewAnnouncement(object);
        if (tag.capacity > 0) this.exchange.reelect(object);
      }
    }
  }

  /** @internal Tells the link's audit of `denied`, what the child was refused for `subject`. */
  audited(denied: Denied, subject: ObjectDescriptor | TagDescriptor): Denied {
    this.trust.denied(denied, subject);
    return denied;
  }

  /**
   * @internal Audits that the child's subtree was elected to expose `entry` (`elected`), or lost it: then,
   * once the exchange has elected again, a handover to whoever exposes it now (null: nobody).
   */
  auditElection(entry: ObjectEntry, elected: boolean): void {
    this.audit.election(this.exchange, entry, elected);
  }

  /** @internal Whether the child may observe `entry` (asked per announcement and per session, never per state). */
  mayObserve(entry: ObjectEntry): boolean {
    const grants = this.trust.grants;
    return grants.allowsEverything || grants.observe(entry.descriptor).allowed;
  }
  /** @internal Tells `onViolation` that the child broke one of its object sessions. */
  violated(what: string): void {
    this.options.onViolation?.(what);
  }

  // ---- objects ------------------------------------------------------------------------------------

  /** @internal The child opened an object's session. */
  opened(open: OpenPayload, session: ObjectSession<"Up">): void {
    const resumed = this.resumed;
    const key = open.object.key;
    if (this.sessionOf(key) !== undefined) {
      // A child closes an object's session before it opens another (its Close travels first): a second
      // one would restart the states the first is sending.
      this.endpoint.abort(`the child opened ${shortText(key)} again while its session was open; a child has one session per object`);
      return;
    }
    const refused = this.limits.refusal("the Open of", key, "maxObjects", this.objectSessions);
    if (refused !== undefined) {
      session.abort(`the parent refused the object: ${refused}`);
      return;
    }
    if (!this.limits.mayOpen()) return;
    this.limits.hold(key);
    const quota = this.trust.grants.quota?.objects;
    const overQuota = quota !== undefined && this.heldObjects >= quota;
    if (!overQuota) this.heldObjects++;
    const child = new ChildObject(this, open.object, session, overQuota);
    this.objectSessions++;
    this.unlist(child);
    const pending = this.pendingAssignments.take(key);
    child.start(open, resumed?.get(key), pending);
    // Once the object exists here, an unlisted session is keyed by the node's own key string, not the
    // copy the child's Open brought (which can then be collected).
    const unlisted = this.unlisted;
    if (child.descriptor !== open.object && unlisted?.get(key) === child) {
      unlisted.delete(key);
      unlisted.set(child.descriptor.key, child);
    }
    this.congestion.check();
  }

  /**
   * @internal `child` is about to stop being an observer or exposer of its object in the exchange (or
   * was never one yet): it is kept where `sessionOf` finds it without its entry. Called before the
   * exchange lets go of it, so it can be found all along.
   */
  unlist(child: ChildObject): void {
    (this.unlisted ??= new Map()).set(child.descriptor.key, child);
  }

  /** @internal `child` is now an observer or exposer of its object in the exchange, where `sessionOf` finds it. */
  listed(child: ChildObject): void {
    const unlisted = this.unlisted;
    if (unlisted?.get(child.descriptor.key) === child) unlisted.delete(child.descriptor.key);
  }

  /** @internal A child object session ended (Close or fault); what the child holds is kept for its reopen or reconnect. */
  forget(child: ChildObject): void {
    const key = child.entry.key;
    if (this.unlisted?.get(key) === child) this.unlisted.delete(key);
    this.objectSessions--;
    this.limits.release(key);
    if (!child.overQuota) this.heldObjects--;
    this.childHolds.ended(key, child.childHolds);
  }

  /**
   * @internal The child's open session of the object with key `key`, if it has one: among the unlisted
   * ones, or among the observers and exposers of the object's entry (a session the exchange lists has
   * its object alive). The search goes through the entry's participants, one per link or contract
   * that observes or exposes the object itself.
   */
  sessionOf(key: string): ChildObject | undefined {
    const unlisted = this.unlisted?.get(key);
    if (unlisted !== undefined) return unlisted;
    const entry = this.exchange.objects.get(key);
    if (entry === undefined) return undefined;
    return this.ownSession(entry.observers) ?? this.ownSession(entry.exposers);
  }

  /** This link's session among `members` (an entry's observers or exposers), if one is there. */
  private ownSession(members: MemberList<object>): ChildObject | undefined {
    for (let i = 0, n = memberCount(members); i < n; i++) {
      const member = memberAt(members, i);
      if (member instanceof ChildObject && member.link === this && !member.ended) return member;
    }
    return undefined;
  }

  /** The child's object sessions that have not ended, a copy (walks the link's sessions: for what is rare, not per message). */
  private childObjects(): ChildObject[] {
    const children: ChildObject[] = [];
    for (const session of this.endpoint.subSessions()) {
      const handlers = session.lane("up").handlers;
      if (handlers instanceof ChildObject && !handlers.ended) children.push(handlers);
    }
    return children;
  }

  /** @internal The state of version `version` in `epoch` this node sent the child in an earlier session of `key`, if kept. */
  heldBefore(key: string, version: Version, epoch: number): ObjectState<unknown> | undefined {
    return this.childHolds.heldBefore(key, version, epoch);
  }

  /** @internal The child's session for `entry`, if it has one. */
  sessionFor(entry: ObjectEntry): ChildObject | undefined {
    return this.sessionOf(entry.key);
  }

  /** @internal Whether the child observes `entry` through one of its tag interests. */
  observesByTag(entry: ObjectEntry): boolean {
    const tags = this.tags;
    if (tags === undefined) return false;
    for (const tag of entry.tags) if (tags.get(tag.key)?.observed) return true;
    return false;
  }

  /** @internal Whether `participant` is one of this link's own (so it does not count as someone else). */
  owns(participant: unknown): boolean {
    return ownedBy(participant, this);
  }

  // ---- tags and announcements ---------------------------------------------------------------------

  /** @internal The child's interest in a tag changed. */
  tagInterest(interest: TagInterestPayload): void {
    const key = interest.tag.key;
    const tags = (this.tags ??= new Map());
    let tag = tags.get(key);
    if (!tag) {
      if (!interest.observed && interest.capacity === 0) return;
      if (this.limits.refusal("the interest in tag", key, "maxTags", tags.size) !== undefined || !this.limits.mayOpen()) return;
      const quota = this.trust.grants.quota?.tags;
      if (quota !== undefined && tags.size >= quota) {
        for (const access of ["observe", "expose"] as const) {
          if (access === "observe" ? !interest.observed : interest.capacity === 0) continue;
          const denied = this.audited(this.trust.overQuota(access, interest.tag, "tags", quota), interest.tag);
          this.tellTag("TagDenied", { tag: interest.tag, access, reason: denied.reason });
        }
        return;
      }
      this.limits.hold(key);
      tag = new ChildTag(this, this.exchange, interest.tag);
      tags.set(key, tag);
    }
    tag.update(interest);
    if (!tag.wanted) {
      tags.delete(key);
      this.limits.release(key);
    }
    this.congestion.check();
  }

  /** A send caused by something else; see sendOrEnd. */
  private guard(send: () => void): void {
    this.control.guard(send);
  }

  /** @internal Whether the child should know of `entry` now (see AnnouncedTo). */
  shouldKnow(entry: ObjectEntry): boolean {
    return this.exchange.objects.get(entry.key) === entry && ((this.observesByTag(entry) && this.mayObserve(entry)) || this.pendingAssignments.has(entry.key));
  }

  /** @internal Tells the child to know of `object` (Announce) or to forget it (Withdraw); see AnnouncedTo. */
  announce(label: "Announce" | "Withdraw", object: ObjectDescriptor): void {
    this.guard(() => this.endpoint.lane("decisions").send(label, { object }));
  }

  /** @internal Re-evaluates whether the child should know of `entry`, and tells it. */
  reviewAnnouncement(entry: ObjectEntry): void {
    if (this.endpoint.state !== "open" || this.control.leaving) return;
    this.announcements.review(entry);
  }

  /** @internal One of the child's tag exposers was elected for `entry`. */
  assignedByTag(entry: ObjectEntry, tag: ChildTag): void {
    const child = this.sessionOf(entry.key);
    if (child) child.assign(tag);
    else {
      this.pendingAssignments.assign(entry.key, tag);
      this.reviewAnnouncement(entry);
    }
  }

  /** @internal One of the child's tag exposers lost `entry`. */
  releasedByTag(entry: ObjectEntry, tag: ChildTag): void {
    this.pendingAssignments.release(entry.key, tag);
    // Announced for the assignment (and still announced after the child opened it): withdrawn with it,
    // else the child would retain the object for good.
    this.reviewAnnouncement(entry);
    this.sessionOf(entry.key)?.release(tag);
  }

  /** @internal Sends `label` with `payload` on the parent's lane (TagDenied, TagGranted) while the link runs. */
  tellTag<L extends "TagDenied" | "TagGranted">(label: L, payload: SendPayload<LinkEvents, "Up", L>): void {
    if (this.control.leaving) return;
    sendWhileOpen(this.control, this.endpoint, "decisions", label, payload);
  }

  private detach(): void {
    this.trust.stop();
    this.control.stop();
    this.congestion.stop();
    // The child's object sessions are sub-sessions of the control session: they ended with it.
    for (const tag of [...(this.tags?.values() ?? [])]) tag.update({ tag: tag.descriptor, observed: false, capacity: 0 });
    this.tags = undefined;
    this.pendingAssignments.clear();
    this.announcements.clear();
    this.childHolds.keepFor(resumeStoreOf(this.exchange), this.resumeToken);
  }
}



function noop(): void {}

/** What DownstreamLink.run resolves with once the child is welcomed and its control session served. */
const SERVING = Symbol("serving");

/** A link as an ExposerPlace names it: filled in as the link learns who the child is and gets its monitor id. */
export interface LinkIdentity {
  id: number | undefined;
  name: string | undefined;
}
