import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { JsonValue } from "../descriptor/json-value.js";
import { memberAt, memberCount } from "../exchange/member-list.js";
import type { ObjectEntry } from "../exchange/object-entry.js";
import type { ElectionAuthority, Exposer, InterestWatcher } from "../exchange/participants.js";
import type { TagEntry } from "../exchange/tag-entry.js";
import type { LocalNode } from "../local-node/local-node.js";
import { epochOf, type ObjectState } from "../state/object-state.js";
import { ClusterJoinError } from "./cluster-join-error.js";
import { ClusterKeys } from "./cluster-keys.js";
import { ClusterObject, type LocalInterest, NO_INTEREST } from "./cluster-object.js";
import { InterestBoard } from "./interest-board.js";
import { MemberRegistry } from "./member-registry.js";
import { DEFAULT_LEASE_TTL_MS, LeaseStore, STATE_KEPT_LEASES } from "./lease-store.js";
import { StateFollower } from "./state-follower.js";
import { StatePublisher } from "./state-publisher.js";
import { decodeFrame, StateStore } from "./state-store.js";
import { TagDirectory } from "./tag-directory.js";

/** How a root router joins a cluster of roots sharing one Redis. */
export interface ClusterOptions {
  /** The Redis: `redis://[USER:PASSWORD@]HOST:PORT[/DB]`, or `rediss://…` for TLS. */
  readonly url: string;
  /** Prefix of the cluster's keys and channels, so several clusters can share one Redis (default `hakuban:`). */
  readonly prefix?: string;
  /**
   * How long the member's heartbeat lasts without renewal, in milliseconds (default 5000): its leases
   * are in force while it is live, so a member that dies or loses Redis keeps its objects this long
   * before others take them over. Renewed every third of it (one command, however many objects).
   */
  readonly leaseMs?: number;
  /** Where the member logs what it does (joined, lost Redis, back). */
  readonly log?: (line: string) => void;
  /**
   * How to verify a `rediss://` server's certificate: `{ ca }` trusts that certificate authority (PEM)
   * instead of the system's, for a Redis with a private CA. Verification is never turned off.
   */
  readonly tls?: { readonly ca: string };
}

/** A root node's membership in a cluster, as `joinCluster` returns it. */
export interface ClusterMembership {
  /**
   * This member's id in the cluster: the node's name and a random part (a restarted router is a new
   * member, and so is one whose heartbeat lapsed: it joins anew under another id).
   */
  readonly id: string;
  /** Whether the member is in touch with Redis (the cluster decides elections) rather than electing by itself. */
  readonly inCluster: boolean;
  /**
   * Leaves the cluster: gives up its leases (others take the objects over at once, without waiting for
   * its heartbeat to lapse), withdraws its interest, and closes its Redis connections. The node goes on
   * electing for itself. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * A root node's membership in a cluster of roots sharing one Redis: to the node, the cluster is its
 * parent. It reports the subtree's interest in each object to Redis, takes or follows each object's
 * lease (the lease is the election; its fencing epoch is the election's epoch), hands the states of the
 * objects it holds to the cluster and brings the others' in. One heartbeat keeps the member and all its
 * leases alive; it reports and looks again at an object only when something changes (interest, a lease
 * released or taken, a member gone), so idle objects cost Redis nothing. While Redis is unreachable the
 * node elects for its subtree by itself, as a node cut off from its parent does, and the member catches
 * up when Redis is back.
 */
export class ClusterMember implements ClusterMembership, ElectionAuthority, InterestWatcher {
  private memberId: string;
  /** Whether the member entered the cluster under its id (after that, a lapsed heartbeat means it is gone). */
  private joined = false;
  private rejoining = false;
  private readonly keys: ClusterKeys;
  private readonly leaseMs: number;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly registry: MemberRegistry;
  private readonly leases: LeaseStore;
  private readonly board: InterestBoard;
  private readonly states: StateStore;
  private readonly directory: TagDirectory;
  /** The tags this subtree observes or exposes, with the objects of other subtrees announced here for them. */
  private readonly watchedTags = new Map<string, TagWatch>();
  private readonly objects = new Map<string, ClusterObject>();
  private readonly byChannel = new Map<string, ClusterObject>();
  private readonly dirty = new Set<ObjectEntry>();
  /** Objects needed, free, and left to another candidate better placed: looked at again next tick, in case it does not take them. */
  private readonly unsettled = new Set<ClusterObject>();
  private flushQueued = false;
  private connected = false;
  private closed = false;
  private readonly timer: ReturnType<typeof setInterval>;
  /** Where the next balance check starts among the objects this member holds (one check per tick). */
  private balanceTurn = 0;
  private readonly log: (line: string) => void;
  private readonly unadopt: () => void;

  constructor(
    private readonly node: LocalNode,
    options: ClusterOptions,
  ) {
    const exchange = node.exchange;
    if (exchange.watcher !== undefined) throw new ClusterJoinError(node.name);
    this.memberId = newMemberId(node.name);
    this.keys = new ClusterKeys(options.prefix);
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_TTL_MS;
    this.log = options.log ?? (() => {});
    const retryStrategy = (times: number) => Math.min(20 * times, 500);
    const tls = options.tls === undefined ? {} : { tls: { ca: options.tls.ca } };
    // Commands fail at once while Redis is away: a heartbeat that waited would outlive itself.
    this.commands = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy, ...tls });
    this.subscriber = new Redis(options.url, { maxRetriesPerRequest: null, retryStrategy, ...tls });
    const keepMs = this.leaseMs * STATE_KEPT_LEASES;
    this.registry = new MemberRegistry(this.commands, this.keys, this.leaseMs, keepMs);
    this.leases = new LeaseStore(this.commands, this.keys, keepMs);
    this.board = new InterestBoard(this.commands, this.keys);
    this.states = new StateStore(this.commands, this.keys);
    this.directory = new TagDirectory(this.commands, this.keys);
    exchange.watcher = this;
    let reported = false;
    const onError = (error: Error) => {
      if (reported) return;
      reported = true;
      this.log(`cluster: Redis error: ${error.message}`);
    };
    this.commands.on("error", onError);
    this.subscriber.on("error", onError);
    this.commands.on("ready", () => {
      reported = false;
      this.regained();
    });
    this.commands.on("close", () => this.lost());
    this.subscriber.on("ready", () => this.resync());
    this.subscriber.on("messageBuffer", (channel: Buffer, message: Buffer) => this.message(channel.toString("utf8"), message));
    void this.subscriber.subscribe(this.keys.interestChannel, this.keys.tagChannel, this.keys.memberChannel).catch(() => {});
    this.timer = setInterval(() => this.tick(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.unadopt = node.adoptLink(this);
  }

  /** `cluster member <id>`, for logs. */
  toString(): string {
    return `cluster member ${this.id}`;
  }

  get id(): string {
    return this.memberId;
  }

  get inCluster(): boolean {
    return this.connected;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.unadopt();
    const exchange = this.node.exchange;
    if (this.connected) {
      await Promise.allSettled(
        [...this.objects.values()].map(async (object) => {
          const holding = object.holding;
          if (object.mine && holding !== undefined) await this.leases.release(object.entry.key, holding);
        }),
      );
      await this.registry.leave(this.id).catch(() => {}); // its interest and listings stop counting at once
    }
    this.connected = false;
    if (exchange.authority === this) exchange.authority = undefined;
    if (exchange.watcher === this) exchange.watcher = undefined;
    for (const object of this.objects.values()) {
      if (object.observing) exchange.removeObjectObserver(object.entry, object);
      object.observing = false;
    }
    this.objects.clear();
    this.byChannel.clear();
    this.unsettled.clear();
    for (const watch of this.watchedTags.values()) for (const entry of watch.announced.values()) exchange.release(entry);
    this.watchedTags.clear();
    exchange.reelectAll();
    this.subscriber.disconnect();
    this.commands.disconnect();
  }

  /**
   * Stops at once as a killed process would, for failure tests: the timer stops and both Redis
   * connections drop without a word, nothing is released or withdrawn, and the node is left as it was
   * (its contracts do not reach the cluster any more). The cluster notices only when this member's
   * heartbeat lapses, and its leases then move. `close()` afterwards does nothing.
   */
  crash(): void {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    clearInterval(this.timer);
    this.subscriber.disconnect();
    this.commands.disconnect();
  }

  // ---- ElectionAuthority --------------------------------------------------------------------------

  electedElsewhere(entry: ObjectEntry): Exposer | undefined {
    if (!this.connected) return undefined;
    const object = this.track(entry);
    return object.mine ? undefined : object;
  }

  epochOf(entry: ObjectEntry): number | undefined {
    if (!this.connected) return undefined;
    const object = this.objects.get(entry.key);
    return object === undefined || object.entry !== entry ? undefined : object.holding?.epoch;
  }

  // ---- InterestWatcher ----------------------------------------------------------------------------

  objectInterestChanged(entry: ObjectEntry): void {
    this.mark(entry);
  }

  tagInterestChanged(tag: TagEntry): void {
    for (const entry of tag.objects) this.mark(entry);
    if (this.closed) return;
    const watched = this.watchedTags.get(tag.key);
    const wanted = this.node.exchange.tags.get(tag.key) === tag && (tag.observers.size > 0 || tag.exposers.size > 0);
    if (wanted && watched === undefined) {
      const watch: TagWatch = { tag, announced: new Map(), reading: false, again: false };
      this.watchedTags.set(tag.key, watch);
      queueMicrotask(() => this.readTag(watch));
    } else if (!wanted && watched !== undefined && watched.tag === tag) {
      this.watchedTags.delete(tag.key);
      queueMicrotask(() => {
        for (const entry of watched.announced.values()) this.node.exchange.release(entry);
        watched.announced.clear();
      });
    }
  }

  // ---- tags ---------------------------------------------------------------------------------------

  /**
   * Brings the objects announced here for a watched tag in line with the tag's directory: objects named
   * under other roots are retained here (so this subtree's tag observers see them and its tag exposers
   * can be elected), and released once they are listed no more.
   */
  private readTag(watch: TagWatch): void {
    if (!this.connected || this.closed || this.watchedTags.get(watch.tag.key) !== watch) return;
    if (watch.reading) {
      watch.again = true;
      return;
    }
    watch.reading = true;
    this.directory
      .objects(watch.tag.key)
      .then((keys) => {
        if (this.closed || this.watchedTags.get(watch.tag.key) !== watch) return;
        const exchange = this.node.exchange;
        const listed = new Set(keys);
        for (const [key, entry] of watch.announced) {
          if (listed.has(key)) continue;
          watch.announced.delete(key);
          exchange.release(entry);
        }
        for (const key of listed) {
          if (watch.announced.has(key)) continue;
          const descriptor = descriptorOfKey(key);
          if (descriptor !== undefined) watch.announced.set(key, exchange.retain(descriptor));
        }
      })
      .catch(() => {})
      .finally(() => {
        watch.reading = false;
        if (watch.again) {
          watch.again = false;
          this.readTag(watch);
        }
      });
  }

  // ---- interest -----------------------------------------------------------------------------------

  private mark(entry: ObjectEntry): void {
    if (this.closed) return;
    this.dirty.add(entry);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /** The object record of `entry`, made when there is none (a stale one of a former entry is dropped). */
  private track(entry: ObjectEntry): ClusterObject {
    const existing = this.objects.get(entry.key);
    if (existing !== undefined && existing.entry === entry) return existing;
    if (existing !== undefined) this.drop(existing);
    const object = new ClusterObject(this.node.exchange, entry, this);
    object.onState = (state) => {
      if (this.connected) object.publisher?.offer(state);
    };
    object.follower = new StateFollower(entry.descriptor, () => void this.catchUp(object).catch(() => {}), this.log);
    this.objects.set(entry.key, object);
    this.byChannel.set(this.keys.stateChannel(entry.key), object);
    this.mark(entry);
    return object;
  }

  private flush(): void {
    for (const entry of this.dirty) {
      const existing = this.objects.get(entry.key);
      const object = existing?.entry === entry ? existing : undefined;
      if (object !== undefined) this.evaluate(object);
      else if (this.node.exchange.objects.get(entry.key) === entry && hasInterest(entry)) this.evaluate(this.track(entry));
    }
    this.dirty.clear();
  }

  /**
   * Brings one object in line with the cluster: reports this subtree's interest, looks the lease up,
   * takes it when the object is needed anywhere, nobody holds it and this subtree can expose it, gives it
   * up when it is not needed any more, and follows the holder's states otherwise. One at a time per object.
   */
  private evaluate(object: ClusterObject): void {
    if (!this.connected || this.closed) return;
    if (object.evaluating) {
      object.evaluateAgain = true;
      return;
    }
    object.evaluating = true;
    this.settle(object)
      .catch((error: unknown) => {
        if (this.connected) this.log(`cluster: ${object.entry.descriptor.toString()}: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        object.evaluating = false;
        if (object.evaluateAgain) {
          object.evaluateAgain = false;
          this.evaluate(object);
        }
      });
  }

  private async settle(object: ClusterObject): Promise<void> {
    const key = object.entry.key;
    const interest = object.localInterest();
    if (interest.observed !== object.reported.observed || interest.capacity !== object.reported.capacity) {
      await this.board.report(key, this.id, interest.observed, interest.capacity);
      object.reported = interest;
    }
    const listed = namedHere(object) && object.entry.tags.length > 0;
    if (listed !== object.listed) {
      await this.directory.list(key, this.id, object.entry.tags.map((tag) => tag.key), listed);
      object.listed = listed;
    }
    if (this.objects.get(key) !== object) return;
    const view = await this.board.view(key, this.id);
    let holding = view.holding;
    const needed = interest.observed || view.observedElsewhere;
    const candidate = interest.capacity > 0;
    if (holding?.holder === this.id && (!needed || !candidate)) {
      await this.leases.release(key, holding);
      holding = undefined;
    } else if (holding === undefined && needed && candidate) {
      holding = await this.leases.acquire(key, this.id, knownEpoch(object));
      if (holding === undefined) this.unsettled.add(object);
    }
    if (this.objects.get(key) !== object) {
      if (holding?.holder === this.id) await this.leases.release(key, holding);
      return;
    }
    await this.follow(object, holding, interest);
    if (!interest.observed && !candidate && !object.mine) this.drop(object);
  }

  /** Makes the node follow `holding`, the lease in force: who exposes the object here, and in which epoch. */
  private async follow(object: ClusterObject, holding: ClusterObject["holding"], interest: LocalInterest): Promise<void> {
    const before = object.holding;
    const changed = !object.known || before?.holder !== holding?.holder || before?.epoch !== holding?.epoch;
    object.holding = holding;
    object.known = true;
    const exchange = this.node.exchange;
    const mine = object.mine;
    if (!mine) object.publisher = undefined;
    else if (changed || object.publisher === undefined) {
      const held = holding!;
      object.publisher = new StatePublisher(
        held.epoch,
        (message, full) => this.states.publish(object.entry.key, held, message, full),
        () => this.evaluate(object), // the lease is not ours any more
      );
    }
    if (mine && !object.observing) {
      object.observing = true;
      exchange.addObjectObserver(object.entry.descriptor, object);
    } else if (!mine && object.observing) {
      object.observing = false;
      exchange.removeObjectObserver(object.entry, object);
    }
    if (changed) {
      // Observers keep the data unsynchronized until the new holder's states come, unless one already did
      // (it may come before the lease is seen): then that state is theirs again, synchronized as it came.
      const fromNewHolder = holding !== undefined && object.held !== undefined && epochOf(object.held) >= holding.epoch;
      if (before !== undefined && !mine && !fromNewHolder) object.desynchronize();
      exchange.reelect(object.entry);
      if (mine) object.stateChanged();
      else if (fromNewHolder) object.retake();
    }
    const listen = !mine && interest.observed;
    if (listen && !object.subscribed) {
      object.subscribed = true;
      await this.subscriber.subscribe(this.keys.stateChannel(object.entry.key));
      await this.catchUp(object);
    } else if (!listen && object.subscribed) {
      object.subscribed = false;
      await this.subscriber.unsubscribe(this.keys.stateChannel(object.entry.key));
    } else if (listen && changed) {
      await this.catchUp(object);
    }
  }

  /** Takes the stored state of `object` (for a new subscription, or after messages may have been lost). */
  private async catchUp(object: ClusterObject): Promise<void> {
    const frame = await this.states.latest(object.entry.key);
    if (frame !== undefined && !object.mine && (object.holding === undefined || frame.epoch > object.holding.epoch)) this.evaluate(object); // a lease not seen yet
    const state = frame === undefined || object.mine ? undefined : object.follower?.stored(frame);
    if (state !== undefined) object.receive(state);
  }

  /** Forgets `object`: its subscription, its observation here, and (when held) its lease. */
  private drop(object: ClusterObject): void {
    const key = object.entry.key;
    if (this.objects.get(key) === object) {
      this.objects.delete(key);
      this.byChannel.delete(this.keys.stateChannel(key));
    }
    if (object.observing) {
      object.observing = false;
      this.node.exchange.removeObjectObserver(object.entry, object);
    }
    if (!this.connected) return;
    const holding = object.holding;
    const pending: Array<Promise<unknown>> = [];
    if (object.mine && holding !== undefined) pending.push(this.leases.release(key, holding));
    if (object.reported !== NO_INTEREST) pending.push(this.board.report(key, this.id, false, 0));
    if (object.listed) pending.push(this.directory.list(key, this.id, object.entry.tags.map((tag) => tag.key), false));
    object.listed = false;
    if (object.subscribed && !this.objects.has(key)) pending.push(this.subscriber.unsubscribe(this.keys.stateChannel(key)));
    object.subscribed = false;
    void Promise.allSettled(pending);
  }

  // ---- states -------------------------------------------------------------------------------------

  private message(channel: string, message: Buffer): void {
    if (channel === this.keys.tagChannel) {
      const watch = this.watchedTags.get(message.toString("utf8"));
      if (watch !== undefined) this.readTag(watch);
      return;
    }
    if (channel === this.keys.memberChannel) {
      this.memberGone(message.toString("utf8"));
      return;
    }
    if (channel === this.keys.interestChannel) {
      const object = this.objects.get(message.toString("utf8"));
      if (object !== undefined) this.evaluate(object);
      return;
    }
    const object = this.byChannel.get(channel);
    const frame = decodeFrame(message);
    if (object === undefined || object.mine || frame === undefined) return;
    if (object.holding === undefined || frame.epoch > object.holding.epoch) this.evaluate(object); // a new lease
    const state = object.follower?.message(frame);
    if (state !== undefined) object.receive(state);
  }

  // ---- Redis coming and going ---------------------------------------------------------------------

  /**
   * Every third of a heartbeat time: renew this member's heartbeat (which keeps all its leases; the same
   * call forgets members whose heartbeat lapsed), and check one held object's balance. The cost does not
   * grow with the objects: per-object work happens only when something changes.
   */
  private tick(): void {
    if (!this.connected) return;
    const unsettled = [...this.unsettled];
    this.unsettled.clear();
    for (const object of unsettled) if (this.objects.get(object.entry.key) === object) this.evaluate(object);
    this.registry.heartbeat(this.id).then(
      (live) => {
        if (!live) void this.rejoin();
      },
      () => {},
    );
    const held = [...this.objects.values()].filter((object) => object.mine);
    void this.leases.setLoad(this.id, held.length).catch(() => {});
    const next = held[this.balanceTurn++ % Math.max(1, held.length)];
    if (next !== undefined) void this.balance(next).catch(() => {});
  }

  /**
   * A member is gone (it left, or its heartbeat lapsed): the objects it held are free (and so may be
   * those whose holder this member has not seen yet), and the objects this member holds may not be
   * needed any more (it may have been their only observer); the tags' listings may have shrunk. When
   * the member gone is this one, it joins anew.
   */
  private memberGone(gone: string): void {
    if (!this.connected || this.closed) return;
    if (gone === this.id) {
      void this.rejoin();
      return;
    }
    for (const object of this.objects.values()) {
      if (object.mine || object.holding === undefined || object.holding.holder === gone) this.evaluate(object);
    }
    for (const watch of this.watchedTags.values()) this.readTag(watch);
  }

  /**
   * Hands `object` over when this member is loaded past the rebalance threshold relative to another
   * candidate (as the exchange moves an object between exposers): the lease is released and the better
   * placed candidate takes it. One object per tick, so the cluster converges without churn.
   */
  private async balance(object: ClusterObject): Promise<void> {
    const holding = object.holding;
    if (holding === undefined || !object.mine || object.evaluating) return;
    if (!(await this.leases.overloaded(object.entry.key, this.id))) return;
    if (object.holding === holding && (await this.leases.release(object.entry.key, holding))) this.evaluate(object);
  }

  /**
   * Redis is reachable (again): raise the epoch counters to what this node knows (a Redis that restarted
   * empty forgot them), then report every interest afresh and let the cluster decide again.
   */
  private regained(): void {
    if (this.closed) return;
    this.log(`cluster: in touch with Redis as ${this.id}`);
    const exchange = this.node.exchange;
    const objects = [...exchange.objects.values()];
    void Promise.allSettled(objects.map((entry) => this.leases.raiseEpoch(entry.key, knownEpochOf(entry))))
      .then(() => this.enter())
      .then(
        () => {
          if (this.closed) return;
          this.connected = true;
          this.reconsider();
        },
        () => {}, // Redis went away again: the next "ready" starts over
      );
  }

  /**
   * Enters the cluster under this member's id, or under a new one when that id is gone (its heartbeat
   * lapsed while this member was paused or cut off: the others may have taken its objects over, so
   * its former leases must stay ended).
   */
  private async enter(): Promise<void> {
    if (await this.registry.heartbeat(this.memberId, !this.joined)) {
      this.joined = true;
      return;
    }
    const former = this.memberId;
    this.memberId = newMemberId(this.node.name);
    this.log(`cluster: ${former} is gone from the cluster (its heartbeat lapsed); joining anew as ${this.memberId}`);
    await this.registry.heartbeat(this.memberId, true);
  }

  /** This member was found gone while in touch with Redis: it joins anew and lets the cluster decide again. */
  private async rejoin(): Promise<void> {
    if (this.rejoining || this.closed || !this.connected) return;
    this.rejoining = true;
    try {
      await this.enter();
      if (!this.closed && this.connected) this.reconsider();
    } catch {
      // Redis went away: regaining it enters again
    } finally {
      this.rejoining = false;
    }
  }

  /** Reports every interest afresh and lets the cluster decide every object again. */
  private reconsider(): void {
    const exchange = this.node.exchange;
    for (const object of this.objects.values()) {
      object.reported = NO_INTEREST;
      object.listed = false;
      object.known = false;
    }
    exchange.authority = this;
    exchange.reelectAll();
    for (const entry of exchange.objects.values()) if (hasInterest(entry)) this.evaluate(this.track(entry));
  }

  /** Redis is unreachable: this node elects for its subtree by itself until it is back. */
  private lost(): void {
    if (!this.connected || this.closed) return;
    this.connected = false;
    this.log("cluster: lost Redis; electing for this subtree alone until it is back");
    const exchange = this.node.exchange;
    if (exchange.authority === this) exchange.authority = undefined;
    for (const object of this.objects.values()) {
      if (object.observing) {
        object.observing = false;
        exchange.removeObjectObserver(object.entry, object);
      }
      object.holding = undefined;
      object.known = false;
      object.subscribed = false;
    }
    exchange.reelectAll();
  }

  /**
   * The subscriber reconnected: messages may have been lost meanwhile (states, interest changes, members
   * gone), so take the stored states and look at every object and watched tag again.
   */
  private resync(): void {
    if (!this.connected) return;
    for (const object of this.objects.values()) {
      if (object.subscribed) void this.catchUp(object).catch(() => {});
      this.evaluate(object);
    }
    for (const watch of this.watchedTags.values()) this.readTag(watch);
  }
}

/** A tag this subtree observes or exposes, and the objects announced here for it (see ClusterMember.readTag). */
interface TagWatch {
  readonly tag: TagEntry;
  readonly announced: Map<string, ObjectEntry>;
  reading: boolean;
  again: boolean;
}

/** Whether a contract in this subtree names the object itself (observes or exposes it by descriptor, not by tag). */
function namedHere(object: ClusterObject): boolean {
  const entry = object.entry;
  if (entry.exposers !== undefined) return true;
  const observers = entry.observers;
  for (let i = 0, n = memberCount(observers); i < n; i++) if (memberAt(observers, i) !== object) return true;
  return false;
}

/** The descriptor whose canonical key is `key` (`[[TAG, …], JSON]`), or undefined for a key that is not one. */
function descriptorOfKey(key: string): ObjectDescriptor | undefined {
  try {
    const [tags, json] = JSON.parse(key) as [JsonValue[], JsonValue];
    const descriptor = new ObjectDescriptor(tags, json);
    return descriptor.key === key ? descriptor : undefined;
  } catch {
    return undefined;
  }
}

/** Whether this subtree observes `entry` or can expose it. */
function hasInterest(entry: ObjectEntry): boolean {
  return entry.observed || entry.exposers !== undefined || entry.tags.some((tag) => tag.exposers.size > 0);
}

/** The highest epoch this node knows of `entry`: a new lease must take a higher one. */
function knownEpochOf(entry: ObjectEntry): number {
  const state = entry.state;
  return Math.max(entry.epoch, state === undefined ? 0 : epochOf(state));
}

function knownEpoch(object: ClusterObject): number {
  return Math.max(knownEpochOf(object.entry), object.held === undefined ? 0 : epochOf(object.held));
}

/** A new member id for a node named `name`: the name and a random part. */
function newMemberId(name: string): string {
  return `${name}-${randomBytes(6).toString("hex")}`;
}

/**
 * Joins `node`, a root, to the cluster of roots sharing the Redis at `options.url`: what
 * `hakuban-router --cluster URL` does. `node.close()` leaves the cluster too.
 */
export function joinCluster(node: LocalNode, options: ClusterOptions): ClusterMembership {
  return new ClusterMember(node, options);
}
