import { OneEntrySet } from "../exchange/entry-set.js";
import type { Endpoint, FamilyEvents, SendLabel, SendPayload, SessionMux } from "../choreography/index.js";
import type { JsonLimits } from "../descriptor/json-value.js";
import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import { ListenerSet } from "../events/listener-set.js";
import type { LinkedNode } from "./linked-node.js";
import type { Exchange } from "../exchange/exchange.js";
import { memberAt, memberCount } from "../exchange/member-list.js";
import type { ObjectEntry } from "../exchange/object-entry.js";
import type { ElectionAuthority, Exposer, ExposerPlace, InterestWatcher, StateSink } from "../exchange/participants.js";
import { epochOf, type ObjectState } from "../state/object-state.js";
import { caughtError, caughtMessage } from "./caught-error.js";
import { LinkControl } from "./link-control.js";
import { sendWhileOpen } from "./link-ending.js";
import { linkDataLimits, type LinkOptions } from "./link-options.js";
import { LinkRefusedError } from "./link-refused-error.js";
import { UpstreamAlreadyLinkedError } from "./upstream-already-linked-error.js";
import { MAX_ROUND_TRIP_MS, type objectFamily } from "./messages.js";
import type { AccessPayload, AckPayload, VersionPayload } from "./object-session.js";
import { AccessDeniedError } from "../exchange/access-denied-error.js";
import type { TagEntry } from "../exchange/tag-entry.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { downProgram, type LinkEvents, PROGRAM_HASH, PROTOCOL_VERSION } from "./protocol.js";
import { ObjectTransfer } from "./object-transfer.js";
import { takePeerState } from "./take-peer-state.js";
import type { WireState } from "./wire-state.js";

/** What travels in an object's session. */
type ObjectEvents = FamilyEvents<typeof objectFamily>;
type ObjectSession = Endpoint<ObjectEvents, "Down">;

/** The child's credentials: a token, or a function giving the current one (called on each dial and refresh). */
export type TokenSource = string | (() => string | Promise<string>);

/** Settings of a child's link to its parent. */
export interface UpstreamLinkOptions extends LinkOptions {
  /** Sent in the handshake for the parent's `authenticate`, and again on refresh(). */
  readonly token?: TokenSource;
}

/** How long before its principal expires a link refreshes its token: a quarter of the time left, at most a minute. */
export function refreshMargin(remainingMs: number): number {
  return Math.min(60_000, remainingMs / 4);
}

/**
 * The child's side (role Down) of a node's link to its parent. It reports what the node's subtree
 * observes and can expose, follows the parent's elections while linked, and relays states both ways.
 * It outlives connections: each connection is one generation (run()), and what a reconnect needs to
 * resynchronise without flicker (which versions the parent holds) is kept across them. While no
 * generation is running the node elects for itself, as the root of its subtree.
 */
export class UpstreamLink implements ElectionAuthority, InterestWatcher {
  private readonly exchange: Exchange;
  private generation: Generation | undefined;
  private readonly connectedListeners: ListenerSet<boolean>;
  private closing = false;
  /** Per object, what the parent most likely held of ours when its session ended: the base for diffs after a reconnect. */
  readonly parentHolds = new Map<string, ObjectState<unknown>>();
  /** Stable across this link's reconnects: lets the parent resume its diffs to us. */
  readonly resumeToken = randomToken();
  /** @internal Bounds on the states the parent sends (LinkOptions.dataLimits). */
  readonly dataLimits: JsonLimits;
  /** The last round trip (Ping to Pong) measured on any connection, in milliseconds; undefined before the first Pong. */
  roundTripMs: number | undefined;

  constructor(
    readonly node: LinkedNode,
    readonly options: UpstreamLinkOptions = {},
    /**
     * Called in each connection when the parent's Welcome arrives, with the parent's node name: from
     * then on the peer is known to be a hakuban parent (a failure before it may be anything else).
     */
    readonly onWelcomed: (parent: string) => void = () => {},
  ) {
    this.exchange = node.exchange;
    this.dataLimits = linkDataLimits(options);
    if (this.exchange.watcher !== undefined) throw new UpstreamAlreadyLinkedError(node.name);
    this.exchange.watcher = this;
    this.connectedListeners = new ListenerSet(this.exchange.reportError, this, "connection");
  }

  /** `upstream link of <node>`, for logs and error reports. */
  toString(): string {
    return `upstream link of ${this.node.name}`;
  }

  /** True while a generation is in sync with the parent (from its Synced until the connection ends). */
  get connected(): boolean {
    return this.generation?.synced ?? false;
  }

  /** Calls `callback` with true when a connection is in sync with the parent, false when it ends. */
  onConnected(callback: (connected: boolean) => void): () => void {
    return this.connectedListeners.add(callback);
  }

  /**
   * Runs one connection generation over `mux`: handshake, replay of this node's interests, then sync.
   * Resolves when it ends: undefined after close(), a LinkRefusedError if the parent refused, else the
   * error that ended it. Never rejects.
   */
  async run(mux: SessionMux): Promise<Error | undefined> {
    if (this.closing) {
      mux.close();
      return undefined;
    }
    if (this.generation !== undefined) throw new Error("UpstreamLink.run() called while a connection is already running");
    const generation = new Generation(this, mux);
    this.generation = generation;
    let result: Error | undefined;
    try {
      result = await generation.run();
    } finally {
      const wasSynced = generation.synced;
      generation.dispose();
      this.generation = undefined;
      if (this.exchange.authority === this) this.exchange.authority = undefined;
      this.exchange.reelectAll(); // cut off: this node now elects for its subtree
      if (wasSynced) this.connectedListeners.emit(false);
    }
    return this.closing && !(result instanceof LinkRefusedError) ? undefined : result;
  }

  /** The current token: the fixed one, or what the token function gives now; undefined without one. */
  async readToken(): Promise<string | undefined> {
    const token = this.options.token;
    return typeof token === "function" ? await token() : token;
  }

  /**
   * Re-reads the token and sends it on the live connection: the parent re-authenticates the link and
   * re-evaluates its grants without a reconnect. Resolves once the parent accepted it (at once when no
   * connection is welcomed: the next one sends the token it reads then); rejects with a
   * LinkRefusedError when the parent refused it (it then ends the connection).
   */
  async refresh(): Promise<void> {
    await this.generation?.refresh();
  }

  /** Leaves the parent cleanly (Bye) and stops taking part in the node. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.generation?.leave("the child is closing");
    if (this.exchange.watcher === this) this.exchange.watcher = undefined;
    this.parentHolds.clear();
  }

  // ---- ElectionAuthority --------------------------------------------------------------------------

  electedElsewhere(entry: ObjectEntry): Exposer | undefined {
    return this.generation?.standInFor(entry);
  }

  epochOf(entry: ObjectEntry): number | undefined {
    return this.generation?.epochOf(entry);
  }

  // ---- InterestWatcher ----------------------------------------------------------------------------

  objectInterestChanged(entry: ObjectEntry): void {
    this.generation?.markObject(entry);
  }

  tagInterestChanged(tag: TagEntry): void {
    this.generation?.markTag(tag);
  }

  /** @internal */
  becameSynced(): void {
    this.connectedListeners.emit(true);
  }
}

/** What was last reported to the parent about a tag. */
interface TagReport {
  readonly observed: boolean;
  readonly capacity: number;
}

/** One connection of an UpstreamLink. */
class Generation {
  /** The connection's control session: its endpoint, keep-alive, acknowledgements and data limits. */
  readonly control: LinkControl<LinkEvents, "Down">;
  readonly endpoint: Endpoint<LinkEvents, "Down">;
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
    mux: SessionMux,
  ) {
    this.exchange = link.node.exchange;
    this.control = new LinkControl(downProgram, mux, link.options, link.dataLimits);
    this.endpoint = this.control.endpoint;
  }

  async run(): Promise<Error | undefined> {
    const endpoint = this.endpoint;
    try {
      const token = await this.link.readToken();
      const hello = { protocol: PROTOCOL_VERSION, program: PROGRAM_HASH, node: this.link.node.name, resume: this.link.resumeToken };
      endpoint.send("Hello", token === undefined ? hello : { ...hello, token });
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
    return sink instanceof ParentObject && sink.generation === this;
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

const UPSTREAM_PLACE: ExposerPlace = Object.freeze({ kind: "upstream" });

/** Bits of ParentObject.denied: what the parent denies on the session (a number, not a set: one per object). */
const ACCESS_BIT = { observe: 1, expose: 2 } as const;

/**
 * The child's side of one object's session. It is the stand-in exposer while the parent elected an
 * exposer elsewhere (the data arrives through it), and an observer while the parent needs the data
 * from this subtree (the states it sees go up).
 */
class ParentObject implements StateSink, Exposer {
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
  /** The object's states both ways over the connection. */
  private readonly transfer: ObjectTransfer;

  constructor(
    readonly generation: Generation,
    private readonly exchange: Exchange,
    readonly entry: ObjectEntry,
    private readonly session: ObjectSession,
    interest: TagReport,
  ) {
    this.id = exchange.nextId();
    this.reported = interest;
    this.transfer = new ObjectTransfer(this, generation.control);
    this.transfer.expect(entry.state);
    session.lane("down").serve(this);
    session.onEnd(this);
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
    this.transfer.acknowledged(ack);
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
    this.send("StateUp", state);
  }

  /** @internal */
  sendAck(ack: AckPayload): void {
    this.send("AckUp", ack);
  }

  /** Sends the subtree's changed interest. */
  report(interest: TagReport): void {
    if (this.closing) return;
    if (interest.observed === this.reported.observed && interest.capacity === this.reported.capacity) return;
    this.reported = interest;
    this.send("Interest", interest);
  }

  /** No interest left: Close, then the parent answers Closed. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
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
      this.transfer.resume(payload.version, payload.epoch ?? 0, base);
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
    this.transfer.send(state);
  }

  // ---- as the stand-in exposer --------------------------------------------------------------------

  electedFor(): void {
    const held = this.transfer.held;
    if (held !== undefined) this.apply(held);
  }

  releasedFrom(): void {}

  private stateFromParent(wire: WireState): void {
    if (this.closing) return;
    const state = this.transfer.receive(wire);
    if (state !== undefined && this.entry.assignee === this) this.apply(state);
  }

  /**
   * Makes `state`, the parent's, the object's state here, even if it orders before what this node holds:
   * the parent decided who exposes the object, so its state is the latest.
   */
  private apply(state: ObjectState<unknown>): void {
    takePeerState(this.exchange, this.entry, this, state, "adopted");
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
  private send<L extends SendLabel<ObjectEvents, "Down">>(label: L, payload: SendPayload<ObjectEvents, "Down", L>): void {
    if (this.closing) return;
    sendWhileOpen(this.generation.control, this.session, "up", label, payload);
  }

  /** The session ended: undo every registration. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closing = true;
    const base = this.transfer.resumeBase;
    if (base !== undefined) this.generation.link.parentHolds.set(this.entry.key, base);
    this.generation.forget(this);
    this.withdrawRoles();
  }
}

function randomToken(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let token = "";
  for (const byte of bytes) token += byte.toString(16).padStart(2, "0");
  return token;
}
