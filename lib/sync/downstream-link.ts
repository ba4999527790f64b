import { CodecError, createEndpoint, type Endpoint, type FamilyEvents, LabelMismatch, SchemaMismatch, type SessionMux } from "../choreography/index.js";
import type { JsonLimits } from "../descriptor/json-value.js";
import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { shortText } from "../descriptor/short-text.js";
import type { LinkedNode } from "./linked-node.js";
import type { AccessDeniedError } from "../exchange/access-denied-error.js";
import { OneEntrySet } from "../exchange/entry-set.js";
import type { Exchange } from "../exchange/exchange.js";
import { ObjectEntry } from "../exchange/object-entry.js";
import type { Exposer, StateSink, TagSink } from "../exchange/participants.js";
import type { TagEntry } from "../exchange/tag-entry.js";
import { epochOf, isStateOf, type ObjectState } from "../state/object-state.js";
import { compareVersions, type Version } from "../state/version.js";
import { AckCoalescer } from "./ack-coalescer.js";
import { KeepAlive, keepAliveTimes } from "./keep-alive.js";
import { LinkCongestion, type OutboundQueue } from "./link-congestion.js";
import { leaveLink, sendOrEnd } from "./link-ending.js";
import { LinkLimitError } from "./link-limit-error.js";
import { type LinkLimitEvent, type LinkLimits, resolveLinkLimits } from "./link-limits.js";
import { linkDataLimits, type LinkOptions } from "./link-options.js";
import type { objectFamily, OpenPayload, TagInterestPayload } from "./messages.js";
import type { AckPayload } from "./object-session.js";
import { reportPeerActivity } from "./peer-activity.js";
import { PROGRAM_HASH, PROTOCOL_VERSION, upProgram } from "./protocol.js";
import { resumeStoreOf } from "./resume-store.js";
import { StateReceiver } from "./state-receiver.js";
import { StateSender } from "./state-sender.js";
import { TokenBucket } from "./token-bucket.js";
import type { WireState } from "./wire-state.js";
import { wireStateBytes } from "./wire-state-bytes.js";
import { LinkTrust, type LinkTrustOptions } from "./link-trust.js";
import type { ExposerRef } from "../trust/audit-event.js";
import type { Decision, Denied } from "../trust/decision.js";
import type { Policy } from "../trust/policy.js";

type ObjectSession = Endpoint<FamilyEvents<typeof objectFamily>, "Up">;

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
  private name: string | undefined;
  /** The name the child's Hello gave, accepted or not (for audit events). */
  private claimedName: string | undefined;
  private resumeToken: string | undefined;
  /** @internal The parent node's exchange, where the child's interests are registered. */
  readonly exchange: Exchange;
  private readonly endpoint;
  private readonly objects = new Map<string, ChildObject>();
  private readonly tags = new Map<string, ChildTag>();
  /** Objects the child was told of with Announce (and not withdrawn). */
  private readonly announced = new Set<string>();
  /** @internal Acknowledgements of the child's states, delayed and merged. */
  readonly acks = new AckCoalescer();
  /** Objects elected to one of the child's tag exposers before the child opened their session. */
  private readonly pendingAssignments = new Map<string, ChildTag>();
  private keepAlive: KeepAlive | undefined;
  private leaving = false;
  /**
   * Per object whose session ended, what the child most likely holds (for its reopen or reconnect); the
   * oldest are forgotten beyond maxObjects.
   */
  private readonly childHolds = new Map<string, ObjectState<unknown>>();
  private readonly limits: LinkLimits;
  /** @internal Holds senders back while the child reads too slowly. */
  readonly congestion: LinkCongestion;
  /** Opens and new tag interests the child may still make (opensPerSecond). */
  private readonly opens: TokenBucket;
  /** Length of the canonical keys of the child's open objects and tags (at most maxDescriptorLength). */
  private descriptorLength = 0;
  /** Set when the link is closed for going over one of its limits: the link's result. */
  private limitError: LinkLimitError | undefined;
  /** Bounds on the states the child sends (LinkOptions.dataLimits). */
  private readonly dataLimits: JsonLimits;
  /** @internal The child's principal and what it may do. */
  readonly trust: LinkTrust;
  /** Object sessions that hold interest (not refused over the link's quota). */
  private heldObjects = 0;
  /** The bytes of states the child may still push, under its quota's bytesPerSecond (undefined: unbounded). */
  private pushBudget: { readonly rate: number; readonly bucket: TokenBucket } | undefined;
  /** When a state over the push quota was last audited (one audit event a second at most). */
  private pushAuditedAt = -Infinity;
  /** Refreshes of the child's credentials, one after the other. */
  private refreshing: Promise<void> = Promise.resolve();

  /** Throws InvalidLimitsError or RangeError for bad `options.linkLimits`. */
  constructor(
    private readonly node: LinkedNode,
    mux: SessionMux & OutboundQueue,
    private readonly options: DownstreamLinkOptions = {},
    /** Called once the child's Hello is accepted, with its node name. */
    private readonly onWelcomed: (name: string) => void = noop,
  ) {
    this.exchange = node.exchange;
    const limits = (this.limits = resolveLinkLimits(options.linkLimits));
    this.congestion = new LinkCongestion(mux, limits, {
      congested: (queued, congestedMs) =>
        this.limitHit(
          "queueBytes",
          `${queued.toLocaleString("en-US")} bytes queued for ${congestedMs} ms: sending only the latest state of each object until half of queueBytes is left`,
        ),
      overLimit: (error) => this.closeOver(error),
    });
    this.opens = new TokenBucket(limits.maxObjects + limits.maxTags, limits.opensPerSecond);
    this.dataLimits = linkDataLimits(options);
    this.trust = new LinkTrust(options, () => this.describe(), () => this.regrant());
    // Whatever the child sends counts as a sign of life, not only its pings.
    const heard = reportPeerActivity(mux, () => this.keepAlive?.heard());
    this.endpoint = createEndpoint(upProgram, heard, { checkOutbound: false, tap: options.tap ?? null });
    this.closed = this.run();
  }

  /** The child's node name once its Hello arrived. */
  get peerName(): string | undefined {
    return this.name;
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

  /** The link as audit events name it: the child's node name and its address, when known. */
  private describe(): string | undefined {
    const address = this.options.request?.remoteAddress;
    const name = this.claimedName;
    if (name === undefined) return address;
    return address === undefined ? JSON.stringify(name) : `${JSON.stringify(name)} (${address})`;
  }

  /**
   * Says Farewell (the child answers Bye) and waits for the end. `refused`: the parent no longer accepts
   * the child's credentials (the child takes it as a refusal).
   */
  async close(reason = "the parent is closing", refused = false): Promise<void> {
    this.keepAlive?.stop();
    const polite = !this.leaving && this.name !== undefined;
    this.leaving = true;
    const farewell = polite ? () => this.endpoint.lane("decisions").send("Farewell", refused ? { reason, refused } : { reason }) : undefined;
    await leaveLink(this.endpoint, farewell, reason, "the child did not answer Farewell", keepAliveTimes(this.options).deadAfterMs);
    await this.closed;
  }

  private async run(): Promise<Error | undefined> {
    try {
      const hello = await this.endpoint.recv("Hello");
      this.claimedName = hello.node;
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
        return await this.refuse(hello.node, error instanceof Error ? error.message : String(error));
      }
      if (this.endpoint.state !== "open") return await this.endpoint.closed;
      this.budgetPushes();
      this.name = hello.node;
      this.resumeToken = hello.resume;
      const principal = this.trust.principalId;
      const expiresAt = this.trust.grants.expiresAt;
      this.endpoint.send("Welcome", {
        node: this.node.name,
        ...(principal === undefined ? {} : { principal }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      });
      this.onWelcomed(hello.node);
      const times = keepAliveTimes(this.options);
      this.keepAlive = new KeepAlive(times.intervalMs, times.deadAfterMs, noop, (silent) =>
        this.endpoint.abort(`no keep-alive from ${this.name} for ${silent} ms`),
      );
      const decisions = this.endpoint.lane("decisions");
      // What the child held when it last left, for diffs during its replay (dropped once Sync ends it).
      let resumed = resumeStoreOf(this.exchange).take(hello.resume);
      this.endpoint.lane("interests").serve({
        Open: (open, session) => this.opened(open, session as ObjectSession, resumed),
        TagInterest: (interest) => this.tagInterest(interest),
        Sync: () => {
          resumed = undefined;
          decisions.send("Synced", {});
        },
        Ping: () => {
          decisions.send("Pong", {});
          this.congestion.check();
        },
        Refresh: ({ token }) => {
          this.refreshing = this.refreshing.then(() => this.refresh(token));
        },
        Bye: () => {
          if (!this.leaving) {
            this.leaving = true;
            decisions.send("Farewell", { reason: "goodbye" });
          }
        },
      });
      const ended = await this.endpoint.closed;
      return this.limitError ?? ended;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      this.detach();
    }
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
      if (this.endpoint.state === "open" && !this.leaving) {
        void this.close(`the refreshed credentials were refused: ${error instanceof Error ? error.message : String(error)}`, true);
      }
      return;
    }
    if (this.endpoint.state !== "open" || this.leaving) return;
    const expiresAt = this.trust.grants.expiresAt;
    this.guard(() => this.endpoint.lane("decisions").send("Refreshed", expiresAt === undefined ? {} : { expiresAt }));
  }

  /** Takes the push quota of the link's grants (a changed rate starts a full budget). */
  private budgetPushes(): void {
    const rate = this.trust.grants.quota?.bytesPerSecond;
    if (rate === this.pushBudget?.rate) return;
    this.pushBudget = rate === undefined ? undefined : { rate, bucket: new TokenBucket(rate, rate) };
  }

  /**
   * @internal Whether the child's push quota lets `wire`, a state of `object`, through; a state over it
   * is dropped (audited at most once a second), and a later one within it carries the latest data.
   */
  mayPush(object: ObjectDescriptor, wire: WireState): boolean {
    const budget = this.pushBudget;
    if (budget === undefined || budget.bucket.take(wireStateBytes(wire))) return true;
    const now = Date.now();
    if (now - this.pushAuditedAt >= 1000) {
      this.pushAuditedAt = now;
      this.audited(this.trust.overQuota("expose", object, "bytesPerSecond", budget.rate), object);
    }
    return false;
  }

  /** The grants changed: every object session, tag interest, announcement and tag election is judged again. */
  private regrant(): void {
    this.budgetPushes();
    if (this.endpoint.state !== "open" || this.name === undefined) return;
    for (const child of [...this.objects.values()]) child.regrant();
    for (const tag of [...this.tags.values()]) tag.regrant();
    for (const key of [...this.announced]) {
      const entry = this.exchange.objects.get(key);
      if (entry !== undefined) this.reviewAnnouncement(entry);
    }
    for (const tag of this.tags.values()) {
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
    const audit = this.options.audit;
    if (audit === undefined) return;
    const descriptor = entry.descriptor.toJSON();
    if (elected) {
      audit({ kind: "elected", at: Date.now(), ...this.exposerRef(), descriptor, exposer: this.exposerRef() });
      return;
    }
    this.exchange.defer(() => {
      const assignee = this.exchange.objects.get(entry.key)?.assignee;
      const to = assignee === undefined ? null : assignee instanceof ChildObject || assignee instanceof ChildTag ? assignee.link.exposerRef() : {};
      audit({ kind: "handover", at: Date.now(), ...this.exposerRef(), descriptor, from: this.exposerRef(), to });
    });
  }

  /** The link as an audit event's exposer: its name and principal. */
  private exposerRef(): ExposerRef {
    const link = this.describe();
    const principal = this.trust.principalId;
    return { ...(link === undefined ? {} : { link }), ...(principal === undefined ? {} : { principal }) };
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

  /** Tells `onLimit` that a request went over `limit`, or that the link is congested. */
  private limitHit(limit: keyof LinkLimits, what: string): void {
    this.options.onLimit?.({ limit, value: this.limits[limit], what });
  }

  /** Closes the link for going over a limit; `error` is what the link ends with. */
  private closeOver(error: LinkLimitError): void {
    if (this.limitError !== undefined) return;
    this.limitError = error;
    this.endpoint.abort(error.message);
  }

  /** Takes one of the opens the child may make; closes the link when it has made them too fast. */
  private mayOpen(): boolean {
    if (this.opens.take()) return true;
    const { maxObjects, maxTags, opensPerSecond } = this.limits;
    const burst = (maxObjects + maxTags).toLocaleString("en-US");
    this.closeOver(new LinkLimitError("opensPerSecond", opensPerSecond, `the child opened objects and tags faster than that after a first ${burst}`));
    return false;
  }

  /**
   * Why the child may not have one more object or tag (`what` and its `key`), or undefined when it may:
   * it holds `held`, at the `count` limit, or the key would take the link past maxDescriptorLength.
   * A refusal is told to onLimit.
   */
  private refusal(what: string, key: string, count: "maxObjects" | "maxTags", held: number): string | undefined {
    const limits = this.limits;
    let limit: keyof LinkLimits = count;
    let why: string;
    if (held >= limits[count]) why = `${held.toLocaleString("en-US")} ${count === "maxObjects" ? "object sessions are open" : "tags are held"}`;
    else if (this.descriptorLength + key.length > limits.maxDescriptorLength) {
      limit = "maxDescriptorLength";
      why = `its key of ${key.length.toLocaleString("en-US")} characters would take the link's keys past the limit`;
    } else return undefined;
    this.limitHit(limit, `refused ${what} ${shortText(key)}: ${why}`);
    return `${why} (${limit} ${limits[limit]})`;
  }

  // ---- objects ------------------------------------------------------------------------------------

  private opened(open: OpenPayload, session: ObjectSession, resumed: Map<string, ObjectState<unknown>> | undefined): void {
    const key = open.object.key;
    if (this.objects.has(key)) {
      // A child closes an object's session before it opens another (its Close travels first): a second
      // one would restart the states the first is sending.
      this.endpoint.abort(`the child opened ${shortText(key)} again while its session was open; a child has one session per object`);
      return;
    }
    const refused = this.refusal("the Open of", key, "maxObjects", this.objects.size);
    if (refused !== undefined) {
      session.abort(`the parent refused the object: ${refused}`);
      return;
    }
    if (!this.mayOpen()) return;
    this.descriptorLength += key.length;
    const quota = this.trust.grants.quota?.objects;
    const overQuota = quota !== undefined && this.heldObjects >= quota;
    if (!overQuota) this.heldObjects++;
    const child = new ChildObject(this, open.object, session, overQuota);
    this.objects.set(key, child);
    const pending = this.pendingAssignments.get(key);
    this.pendingAssignments.delete(key);
    child.start(open, resumed?.get(key), pending);
    this.congestion.check();
  }

  /** @internal A child object session ended (Close or fault); what the child holds is kept for its reopen or reconnect. */
  forget(child: ChildObject): void {
    const key = child.entry.key;
    if (this.objects.get(key) !== child) return;
    this.objects.delete(key);
    this.descriptorLength -= key.length;
    if (!child.overQuota) this.heldObjects--;
    const holds = child.childHolds;
    this.childHolds.delete(key);
    if (holds === undefined) return;
    this.childHolds.set(key, holds);
    if (this.childHolds.size > this.limits.maxObjects) this.childHolds.delete(this.childHolds.keys().next().value!);
  }

  /** @internal The state of version `version` in `epoch` this node sent the child in an earlier session of `key`, if kept. */
  heldBefore(key: string, version: Version, epoch: number): ObjectState<unknown> | undefined {
    const held = this.childHolds.get(key);
    return held !== undefined && isStateOf(held, version, epoch) ? held : undefined;
  }

  /** @internal The child's session for `entry`, if it has one. */
  sessionFor(entry: ObjectEntry): ChildObject | undefined {
    return this.objects.get(entry.key);
  }

  /** @internal Whether the child observes `entry` through one of its tag interests. */
  observesByTag(entry: ObjectEntry): boolean {
    for (const tag of entry.tags) if (this.tags.get(tag.key)?.observed) return true;
    return false;
  }

  /** @internal Whether `participant` is one of this link's own (so it does not count as someone else). */
  owns(participant: unknown): boolean {
    return (participant instanceof ChildObject || participant instanceof ChildTag) && participant.link === this;
  }

  // ---- tags and announcements ---------------------------------------------------------------------

  private tagInterest(interest: TagInterestPayload): void {
    const key = interest.tag.key;
    let tag = this.tags.get(key);
    if (!tag) {
      if (!interest.observed && interest.capacity === 0) return;
      if (this.refusal("the interest in tag", key, "maxTags", this.tags.size) !== undefined || !this.mayOpen()) return;
      const quota = this.trust.grants.quota?.tags;
      if (quota !== undefined && this.tags.size >= quota) {
        for (const access of ["observe", "expose"] as const) {
          if (access === "observe" ? !interest.observed : interest.capacity === 0) continue;
          const denied = this.audited(this.trust.overQuota(access, interest.tag, "tags", quota), interest.tag);
          this.tellTag("TagDenied", { tag: interest.tag, access, reason: denied.reason });
        }
        return;
      }
      this.descriptorLength += key.length;
      tag = new ChildTag(this, this.exchange, interest.tag);
      this.tags.set(key, tag);
    }
    tag.update(interest);
    if (!tag.wanted) {
      this.tags.delete(key);
      this.descriptorLength -= key.length;
    }
    this.congestion.check();
  }

  /** @internal A send caused by something else; see sendOrEnd. */
  guard(send: () => void): void {
    sendOrEnd(this.endpoint, send);
  }

  /**
   * @internal A receiver of the child's states of `object`, within this link's data limits, holding
   * `held` (what this node has of it: the base of the child's diffs after a Need naming its version).
   */
  receiverFor(object: ObjectDescriptor, held: ObjectState<unknown> | undefined): StateReceiver {
    return new StateReceiver(object, this.dataLimits, this.endpoint, held);
  }

  /** @internal Re-evaluates whether the child should know of `entry`, and tells it. */
  reviewAnnouncement(entry: ObjectEntry): void {
    if (this.endpoint.state !== "open" || this.leaving) return;
    const key = entry.key;
    const wanted =
      this.exchange.objects.get(key) === entry && ((this.observesByTag(entry) && this.mayObserve(entry)) || this.pendingAssignments.has(key));
    if (wanted && !this.announced.has(key)) {
      this.announced.add(key);
      this.guard(() => this.endpoint.lane("decisions").send("Announce", { object: entry.descriptor }));
    } else if (!wanted && this.announced.has(key)) {
      this.announced.delete(key);
      this.guard(() => this.endpoint.lane("decisions").send("Withdraw", { object: entry.descriptor }));
    }
  }

  /** @internal One of the child's tag exposers was elected for `entry`. */
  assignedByTag(entry: ObjectEntry, tag: ChildTag): void {
    const child = this.objects.get(entry.key);
    if (child) child.assign(tag);
    else {
      this.pendingAssignments.set(entry.key, tag);
      this.reviewAnnouncement(entry);
    }
  }

  /** @internal One of the child's tag exposers lost `entry`. */
  releasedByTag(entry: ObjectEntry, tag: ChildTag): void {
    if (this.pendingAssignments.get(entry.key) === tag) this.pendingAssignments.delete(entry.key);
    // Announced for the assignment (and still announced after the child opened it): withdrawn with it,
    // else the child would retain the object for good.
    this.reviewAnnouncement(entry);
    this.objects.get(entry.key)?.release(tag);
  }

  /** @internal Sends `label` with `payload` on the parent's lane (TagDenied, TagGranted) while the link runs. */
  tellTag(label: "TagDenied" | "TagGranted", payload: { tag: TagDescriptor; access: "observe" | "expose"; reason?: string }): void {
    if (this.endpoint.state !== "open" || this.leaving) return;
    this.guard(() => (this.endpoint.lane("decisions").send as (label: string, payload: unknown) => void)(label, payload));
  }

  private detach(): void {
    this.trust.stop();
    this.keepAlive?.stop();
    this.congestion.stop();
    this.acks.close();
    for (const child of [...this.objects.values()]) child.end();
    for (const tag of [...this.tags.values()]) tag.update({ tag: tag.descriptor, observed: false, capacity: 0 });
    this.tags.clear();
    this.pendingAssignments.clear();
    this.announced.clear();
    if (this.resumeToken !== undefined && this.childHolds.size > 0) resumeStoreOf(this.exchange).keep(this.resumeToken, new Map(this.childHolds));
    this.childHolds.clear();
  }
}

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

/** The child's interest in one object, as the parent's exchange sees it. */
class ChildObject implements StateSink, Exposer {
  readonly id: number;
  capacity = 0;
  /** Made when the exchange first weighs this child as an exposer (a child that only observes never is). */
  private assigned: OneEntrySet | undefined;
  /** Made only while the object does not exist here (see `entry`). */
  private detached: ObjectEntry | undefined;
  /** Which of the link's exposers (this one, or a tag) the object is elected to, if any. */
  private assignedVia: Exposer | undefined;
  private flags = 0;
  /** Made when there is something to send down (a child that only exposes never needs one). */
  private sender: StateSender | undefined;
  /** Made when the child first sends a state up (a child that only observes never does). */
  private receiver: StateReceiver | undefined;
  /** The capacity the child asked for (its grants decide whether it is registered). */
  private wantCapacity = 0;

  constructor(
    readonly link: DownstreamLink,
    public descriptor: ObjectDescriptor,
    private readonly session: ObjectSession,
    /** The session went over the link's quota of objects: it is denied everything. */
    overQuota: boolean,
  ) {
    this.id = link.exchange.nextId();
    if (overQuota) this.mark(OVER_QUOTA, true);
    session.lane("up").serve(this);
    session.onEnd(this);
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

  get assignedEntries(): OneEntrySet {
    return (this.assigned ??= new OneEntrySet());
  }

  StateUp(state: WireState): void {
    this.stateFromChild(state);
  }

  AckUp(ack: AckPayload): void {
    this.sender?.acknowledged(ack);
  }

  Close(): void {
    this.end();
    if (this.session.state === "open") this.session.lane("down").send("Closed", {});
  }

  /** @internal */
  transmitState(state: WireState): void {
    this.send("StateDown", state);
    this.link.congestion.check();
  }

  /** @internal */
  holdsBack(sender: StateSender): boolean {
    return this.link.congestion.holdsBack(sender);
  }

  /** @internal */
  sendAck(ack: AckPayload): void {
    this.send("AckDown", ack);
  }

  /** What the child most likely holds (kept for its reconnect: the base of diffs then). */
  get childHolds(): ObjectState<unknown> | undefined {
    return this.sender?.resumeBase;
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
      (this.sender = new StateSender(this)).resume(have, epoch, this.baseFor(have, epoch, resumedBase));
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
    this.send(this.assignedVia !== undefined ? "Assign" : "Release", version === undefined ? { epoch } : { version, epoch });
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
    if (this.is(OBSERVING) || this.link.observesByTag(entry)) (this.sender ??= new StateSender(this)).update(state);
  }

  /** This node's parent denied (or granted again) `access` to the object for the whole subtree: the child is told too. */
  accessChanged(access: "observe" | "expose", error: AccessDeniedError | undefined): void {
    this.send(error === undefined ? "Granted" : "Denied", error === undefined ? { access } : { access, reason: error.reason });
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
    this.send(need ? "Need" : "Unneed", state === undefined ? {} : { version: state.version, epoch: epochOf(state) });
  }

  private stateFromChild(wire: WireState): void {
    // Need told the child which version this node holds: a reconnecting exposer diffs against it.
    const received = (this.receiver ??= this.link.receiverFor(this.descriptor, this.entry.state)).receive(wire);
    if (received === undefined) return; // over the link's data limits: the link is ending
    const { state, ack } = received;
    this.link.acks.add(this, ack);
    const via = this.assignedVia;
    if (state === undefined || via === undefined || this.entry.assignee !== via) return;
    if (wire.d !== undefined || wire.p !== undefined) {
      if (!this.link.mayPush(this.descriptor, wire)) return;
    }
    // A state of another election than the one in force is dropped (publish() checks the epoch).
    const current = this.entry.state;
    if (current !== undefined && isStateOf(current, state.version, epochOf(state))) {
      this.exchange.setSynchronized(this.entry, via, state.synchronized);
    } else {
      this.exchange.publish(this.entry, via, state);
    }
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
      observe = denial(grants.observe(this.descriptor));
      expose = denial(grants.expose(this.descriptor));
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
      this.send("Denied", { access, reason: denied.reason });
    } else if (denied === undefined && this.is(told)) {
      this.mark(told, false);
      this.send("Granted", { access });
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
    if (observed && !this.is(OBSERVING)) {
      this.mark(OBSERVING, true);
      this.exchange.addObjectObserver(descriptor, this);
    } else if (!observed && this.is(OBSERVING)) {
      this.mark(OBSERVING, false);
      this.exchange.removeObjectObserver(this.entry, this);
    }
    this.capacity = capacity;
    if (capacity > 0 && !this.is(EXPOSING)) {
      this.mark(EXPOSING, true);
      this.exchange.addObjectExposer(descriptor, this);
    } else if (capacity === 0 && this.is(EXPOSING)) {
      this.mark(EXPOSING, false);
      this.exchange.removeObjectExposer(this.entry, this);
    }
    this.pushState();
  }

  /** Sends on the parent's lane while the session runs (a session that ended takes nothing more). */
  private send(label: "Assign" | "Release" | "Need" | "Unneed" | "StateDown" | "AckDown" | "Denied" | "Granted", payload: object): void {
    if (this.is(ENDED) || this.session.state !== "open") return;
    this.link.guard(() => (this.session.lane("down").send as (label: string, payload: unknown) => void)(label, payload));
  }

  /**
   * Leaves the exchange (Close, fault, or the link's end) without telling the child anything more; what
   * the child holds is kept for its reopen or reconnect. Idempotent.
   */
  end(): void {
    if (this.is(ENDED)) return;
    this.mark(ENDED, true);
    this.link.forget(this);
    if (this.sender !== undefined) this.link.congestion.forget(this.sender);
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

/** The child's interest in one tag, as the parent's exchange sees it. */
class ChildTag implements TagSink, Exposer {
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
    const observeDenied = this.wantObserved && !grants.allowsEverything ? denial(grants.tag(this.descriptor, "observe")) : undefined;
    const exposeDenied = this.wantCapacity > 0 && !grants.allowsEverything ? denial(grants.tag(this.descriptor, "expose")) : undefined;
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

/** The denial in `decision`, or undefined when it allows. */
function denial(decision: Decision): Denied | undefined {
  return decision.allowed ? undefined : decision;
}

function noop(): void {}
