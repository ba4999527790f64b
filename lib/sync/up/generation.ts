import type { Endpoint, SessionMux } from "../../choreography/index.js";
import type { ObjectDescriptor } from "../../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../../descriptor/tag-descriptor.js";
import { AccessDeniedError } from "../../exchange/access-denied-error.js";
import type { Exchange } from "../../exchange/exchange.js";
import { linkFormats } from "../link-formats.js";
import { memberAt, memberCount } from "../../exchange/member-list.js";
import type { ObjectEntry } from "../../exchange/object-entry.js";
import type { Exposer } from "../../exchange/participants.js";
import type { TagEntry } from "../../exchange/tag-entry.js";
import { epochOf } from "../../state/object-state.js";
import { caughtError, caughtMessage } from "../caught-error.js";
import { LinkCongestion, type OutboundQueue } from "../link-congestion.js";
import { LinkControl } from "../link-control.js";
import { DEFAULT_LINK_LIMITS } from "../link-limits.js";
import { ownedBy } from "../link-participant.js";
import { LinkRefusedError } from "../link-refused-error.js";
import { MAX_ROUND_TRIP_MS } from "../messages.js";
import { downProgram, type LinkEvents, PROGRAM_HASH, PROTOCOL_VERSION } from "../protocol.js";
import { ParentObject } from "./parent-object.js";
import type { UpstreamLink } from "./upstream-link.js";

/** How long before its principal expires a link refreshes its token: a quarter of the time left, at most a minute. */
function refreshMargin(remainingMs: number): number {
  return Math.min(60_000, remainingMs / 4);
}

/** What was last reported to the parent about a tag, or about an object's own interest. */
export interface TagReport {
  readonly observed: boolean;
  readonly capacity: number;
}

/**
 * One connection of an UpstreamLink: the handshake, the replay of the subtree's interests, then the
 * parent's decisions and the object sessions (ParentObject) until the connection ends.
 */
export class Generation {
  /** The connection's control session: its endpoint, keep-alive, acknowledgements and data limits. */
  readonly control: LinkControl<LinkEvents, "Down">;
  readonly endpoint: Endpoint<LinkEvents, "Down">;
  /**
   * Holds the states going up back while the parent has not receipted a flow window of them (or the
   * queue toward it is congested), keeping the latest per object. It only holds back: it closes nothing
   * and tells nothing, so a parent that reads slowly slows this subtree's states to it and can never have
   * the child drop its own link; a parent that stopped altogether is found by the keep-alive.
   */
  readonly congestion: LinkCongestion;
  private readonly exchange: Exchange;
  readonly objects = new Map<string, ParentObject>();
  private readonly reportedTags = new Map<string, TagReport>();
  /** Objects the parent announced, retained here until it withdraws them. */
  readonly announced = new Map<string, ObjectEntry>();
  private readonly dirtyObjects = new Set<ObjectEntry>();
  private readonly dirtyTags = new Set<TagEntry>();
  private flushQueued = false;
  private nextSession = 1;
  /** When the Ping being timed was sent (one at a time; Pongs answer Pings in order). */
  private pingSentAt: number | undefined;
  /** Pings sent and not answered yet. */
  private unanswered = 0;
  /** Pongs still to come up to the one that answers the timed Ping. */
  private pongsToTimed = 0;
  private welcomed = false;
  synced = false;
  private disposed = false;
  /** Set when the parent ended the link refusing its credentials (Farewell with `refused`). */
  private refusal: LinkRefusedError | undefined;
  /** What the parent denies of tags on this connection: lifted when it ends. */
  private readonly tagDenials = new Map<TagEntry, Set<"observe" | "expose">>();
  /** Refreshes sent and not answered yet, in order. */
  private readonly refreshes: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  /** Refreshes the token a margin before the principal expires. */
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly link: UpstreamLink,
    mux: SessionMux & OutboundQueue,
  ) {
    this.exchange = link.node.exchange;
    this.control = new LinkControl(downProgram, mux, link.options, link.dataLimits);
    this.congestion = new LinkCongestion(mux, DEFAULT_LINK_LIMITS, undefined);
    this.endpoint = this.control.endpoint;
  }

  async run(): Promise<Error | undefined> {
    const endpoint = this.endpoint;
    try {
      const token = await this.link.readToken();
      const patches = this.exchange.formatDiffs.listed();
      const hello = { protocol: PROTOCOL_VERSION, program: PROGRAM_HASH, node: this.link.node.name, resume: this.link.resumeToken };
      endpoint.send("Hello", { ...hello, ...(token === undefined ? {} : { token }), ...(patches.length === 0 ? {} : { patches }) });
      const answer = await endpoint.offer();
      if (answer.label === "Refuse") {
        const { reason } = answer.recv();
        this.link.options.log?.(`upstream refused the link: ${reason}`);
        await endpoint.closed;
        return new LinkRefusedError(reason);
      }
      if (answer.label !== "Welcome") throw new Error(`the parent answered Hello with ${answer.label}`);
      const welcome = answer.recv();
      this.link.options.log?.(`upstream ${welcome.node} welcomed us${welcome.principal === undefined ? "" : ` as ${JSON.stringify(welcome.principal)}`}`);
      this.welcomed = true;
      this.control.formats = linkFormats(this.exchange.formatDiffs, patches, welcome.patches ?? []);
      this.scheduleRefresh(welcome.expiresAt);
      this.link.onWelcomed(welcome.node);
      this.exchange.authority = this.link;
      const interests = endpoint.lane("interests");
      this.control.keepPeerAlive("the parent", () => this.guard(() => this.ping()));
      endpoint.lane("decisions").serve({
        Announce: ({ object }) => this.announce(object),
        Withdraw: ({ object }) => this.withdraw(object),
        Synced: () => {
          this.synced = true;
          this.link.becameSynced();
        },
        Pong: () => this.pong(),
        Refreshed: ({ expiresAt }) => {
          this.refreshes.shift()?.resolve();
          this.scheduleRefresh(expiresAt);
        },
        TagDenied: ({ tag, access, reason }) => this.tagAccess(tag, access, new AccessDeniedError(tag, access, reason ?? "")),
        TagGranted: ({ tag, access }) => this.tagAccess(tag, access, undefined),
        Farewell: ({ reason, refused }) => {
          this.link.options.log?.(`upstream is leaving: ${reason}`);
          if (refused === true) this.refusal = new LinkRefusedError(reason);
          this.leave("answering Farewell");
        },
      });
      // Replay everything this subtree wants, then mark the end of the replay.
      for (const tag of this.exchange.tags.values()) this.dirtyTags.add(tag);
      for (const entry of this.exchange.objects.values()) this.dirtyObjects.add(entry);
      this.flush();
      interests.send("Sync", {});
      const ended = await endpoint.closed;
      return this.refusal ?? ended;
    } catch (error) {
      return caughtError(error);
    } finally {
      clearTimeout(this.refreshTimer);
      const ended = this.refusal ?? new Error("the connection ended before the parent answered the refresh");
      for (const pending of this.refreshes.splice(0)) pending.reject(ended);
    }
  }

  /** Sends a Ping carrying the last round trip measured, and times it unless a timed one is still unanswered. */
  private ping(): void {
    const rtt = this.link.roundTripMs;
    this.endpoint.lane("interests").send("Ping", rtt === undefined || rtt > MAX_ROUND_TRIP_MS ? {} : { rtt });
    this.unanswered++;
    if (this.pingSentAt === undefined) {
      this.pingSentAt = performance.now();
      this.pongsToTimed = this.unanswered;
    }
  }

  /** A Pong answers the oldest unanswered Ping: when that is the timed one, the round trip is measured. */
  private pong(): void {
    if (this.unanswered > 0) this.unanswered--;
    const sentAt = this.pingSentAt;
    if (sentAt === undefined || --this.pongsToTimed > 0) return;
    this.pingSentAt = undefined;
    this.link.roundTripMs = performance.now() - sentAt;
  }

  /** Sends the current token (Refresh) and resolves when the parent answered Refreshed. */
  async refresh(): Promise<void> {
    if (!this.welcomed || this.control.leaving || this.disposed) return;
    const token = await this.link.readToken();
    if (token === undefined || !this.welcomed || this.control.leaving || this.endpoint.state !== "open") return;
    const answered = new Promise<void>((resolve, reject) => this.refreshes.push({ resolve, reject }));
    this.guard(() => this.endpoint.lane("interests").send("Refresh", { token }));
    await answered;
  }

  /** Tells the contracts of `tag` here that the parent denied (`error`) or granted `access` to it. */
  private tagAccess(tag: TagDescriptor, access: "observe" | "expose", error: AccessDeniedError | undefined): void {
    const entry = this.exchange.tags.get(tag.key);
    if (entry === undefined) return;
    const denials = this.tagDenials.get(entry) ?? new Set<"observe" | "expose">();
    if (error === undefined) denials.delete(access);
    else denials.add(access);
    if (denials.size === 0) this.tagDenials.delete(entry);
    else this.tagDenials.set(entry, denials);
    this.exchange.setAccess(entry, access, error);
  }

  /** Refreshes a margin before `expiresAt` (milliseconds since the epoch), when the token can change. */
  private scheduleRefresh(expiresAt: number | undefined): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    if (expiresAt === undefined || typeof this.link.options.token !== "function") return;
    const remaining = expiresAt - Date.now();
    const delay = Math.min(Math.max(0, remaining - refreshMargin(remaining)), 2 ** 31 - 1);
    this.refreshTimer = setTimeout(() => {
      this.refresh().catch((error: unknown) => this.link.options.log?.(`upstream refresh failed: ${caughtMessage(error)}`));
    }, delay);
  }

  /** Sends Bye (unless already leaving) and waits for the end. */
  async leave(reason: string): Promise<void> {
    const bye = () => this.endpoint.lane("interests").send("Bye", { reason });
    await this.control.leave(this.welcomed, bye, reason, "the parent did not answer Bye");
  }

  /** A send caused by something else; see sendOrEnd. */
  guard(send: () => void): void {
    this.control.guard(send);
  }

  /** The epoch of the parent's decision for `entry`; undefined while the parent has not decided. */
  epochOf(entry: ObjectEntry): number | undefined {
    const parentObject = this.objects.get(entry.key);
    return parentObject === undefined || parentObject.entry !== entry || !parentObject.decided ? undefined : parentObject.epoch;
  }

  /** The stand-in exposer for `entry` when the parent elected elsewhere; undefined when this node elects. */
  standInFor(entry: ObjectEntry): Exposer | undefined {
    const parentObject = this.objects.get(entry.key);
    if (parentObject === undefined || parentObject.entry !== entry || !parentObject.decided) return undefined;
    return parentObject.assignedHere ? undefined : parentObject;
  }

  markObject(entry: ObjectEntry): void {
    if (this.disposed) return;
    this.dirtyObjects.add(entry);
    this.scheduleFlush();
  }

  markTag(tag: TagEntry): void {
    if (this.disposed) return;
    this.dirtyTags.add(tag);
    this.scheduleFlush();
  }

  /** Whether `sink` is one of this generation's own participants (not interest of the subtree). */
  owns(sink: unknown): boolean {
    return ownedBy(sink, this);
  }

  private scheduleFlush(): void {
    if (this.flushQueued || !this.welcomed) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.guard(() => this.flush());
    });
  }

  /** Reports every changed interest to the parent: tags first, then objects (opening and closing sessions). */
  private flush(): void {
    if (this.disposed || this.control.leaving || this.endpoint.state !== "open") return;
    const interests = this.endpoint.lane("interests");
    for (const tag of this.dirtyTags) {
      const live = this.exchange.tags.get(tag.key) === tag;
      let capacity = 0;
      if (live) for (const exposer of tag.exposers) capacity += exposer.capacity;
      const report = { observed: live && tag.observers.size > 0, capacity };
      const previous = this.reportedTags.get(tag.key) ?? NO_INTEREST;
      if (previous.observed === report.observed && previous.capacity === report.capacity) continue;
      if (report.observed || report.capacity > 0) this.reportedTags.set(tag.key, report);
      else this.reportedTags.delete(tag.key);
      interests.send("TagInterest", { tag: tag.descriptor, ...report });
    }
    this.dirtyTags.clear();
    for (const entry of this.dirtyObjects) {
      const live = this.exchange.objects.get(entry.key) === entry;
      const current = this.objects.get(entry.key);
      if (current !== undefined && current.entry !== entry) continue; // a stale entry of a key that lives on
      const interest = live ? this.interestIn(entry) : NO_INTEREST;
      const wanted = live && (interest.observed || interest.capacity > 0 || this.announced.has(entry.key));
      if (current === undefined) {
        if (wanted) this.open(entry, interest);
      } else if (!wanted) {
        current.close();
      } else {
        current.report(interest);
      }
    }
    this.dirtyObjects.clear();
  }

  /** What this subtree does with `entry` itself (tag interests are reported per tag). */
  private interestIn(entry: ObjectEntry): TagReport {
    let observed = false;
    const observers = entry.observers;
    for (let i = 0, n = memberCount(observers); i < n && !observed; i++) observed = !this.owns(memberAt(observers, i));
    let capacity = 0;
    const exposers = entry.exposers;
    for (let i = 0, n = memberCount(exposers); i < n; i++) capacity += memberAt(exposers, i).capacity;
    return { observed, capacity };
  }

  private open(entry: ObjectEntry, interest: TagReport): void {
    const id = this.nextSession++;
    const state = entry.state;
    const open = { session: id, object: entry.descriptor, observed: interest.observed, capacity: interest.capacity };
    const session = this.endpoint.lane("interests").send("Open", state === undefined ? open : { ...open, have: state.version, epoch: epochOf(state) });
    const parentObject = new ParentObject(this, this.exchange, entry, session, interest);
    this.objects.set(entry.key, parentObject);
  }

  /** @internal A parent object's session ended or is closing. */
  forget(parentObject: ParentObject): void {
    if (this.objects.get(parentObject.entry.key) === parentObject) this.objects.delete(parentObject.entry.key);
  }

  private announce(object: ObjectDescriptor): void {
    if (this.announced.has(object.key)) return;
    this.announced.set(object.key, this.exchange.retain(object));
    const entry = this.announced.get(object.key)!;
    this.markObject(entry);
  }

  private withdraw(object: ObjectDescriptor): void {
    const entry = this.announced.get(object.key);
    if (entry === undefined) return;
    this.announced.delete(object.key);
    this.markObject(entry);
    this.exchange.release(entry);
  }

  /** Leaves the node as it was before the connection (every registration undone). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.refreshTimer);
    this.control.stop();
    this.congestion.stop();
    for (const parentObject of [...this.objects.values()]) parentObject.dispose();
    this.objects.clear();
    for (const entry of this.announced.values()) this.exchange.release(entry);
    this.announced.clear();
    for (const [tag, denials] of this.tagDenials) for (const access of denials) this.exchange.setAccess(tag, access, undefined);
    this.tagDenials.clear();
    this.dirtyObjects.clear();
    this.dirtyTags.clear();
  }
}

const NO_INTEREST: TagReport = { observed: false, capacity: 0 };
