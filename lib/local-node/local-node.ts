import type { Observable } from "rxjs";
import type { ContractContext, NodeContract } from "../contracts/contract-context.js";
import { ObjectContractBuilder, TagContractBuilder } from "../contracts/contract-builder.js";
import { adoptedCodec, checkedCodec, type Codec } from "../contracts/codec.js";
import type { JsonLimits, JsonValue } from "../descriptor/json-value.js";
import { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import { TagDescriptor } from "../descriptor/tag-descriptor.js";
import type { ErrorSink } from "../events/error-sink.js";
import { GuardedObservable } from "../events/guarded-observable.js";
import { ListenerSet } from "../events/listener-set.js";
import { NodeClosedError } from "./node-closed-error.js";
import { Exchange } from "../exchange/exchange.js";
import { resolveDataLimits } from "../state/frozen-data.js";
import { tickClock } from "../state/tick-clock.js";
import { NodeMonitor } from "../monitor/node-monitor.js";
import type { NodeSnapshot } from "../monitor/node-snapshot.js";
import { assertMonitorInterval } from "../monitor/monitor-interval.js";

/** Options of a LocalNode. */
export interface LocalNodeOptions {
  /** A name for logs and for the peers' logs. */
  readonly name?: string;
  /**
   * Milliseconds since the epoch, for default versions and for the times and rates of the node's
   * snapshots; injectable for tests. Default: Date.now read once per tick.
   */
  readonly clock?: () => number;
  /** Limits on data passed to `set` (default: depth 64, 64 MiB of JSON text). */
  readonly dataLimits?: Partial<JsonLimits>;
  /**
   * Publishes the node's snapshot (see `snapshot()`) under this tag, as object
   * `{ node: <name>, instance: <random id> }` exposed by the node itself while someone observes it.
   * Default: not published (`listen({ monitorTag })` and `hakuban-router --monitor-tag` can start it).
   */
  readonly monitorTag?: TagDescriptor | JsonValue;
  /** Milliseconds between two samples of the snapshot's rates and two refreshes of its object. Default: 1000. */
  readonly monitorIntervalMs?: number;
  /**
   * Codecs whose formats this node diffs and patches on its links from the start, without a contract
   * that uses them: give a router (or any node in between) the codecs whose `diff` and `patch` it should
   * apply, so that states of their formats cross its links as diffs. Codecs of contracts count too, once
   * made. Throws InvalidCodecError for one that is not a codec.
   */
  readonly codecs?: ReadonlyArray<Codec<unknown>>;
}

/** An exception thrown by application code (a callback or subscriber), caught and reported by the node. */
export interface NodeError {
  readonly error: unknown;
  /** Which contract and surface the exception came from. */
  readonly context: string;
}

/** Counts of what a node holds, for introspection and leak checks. */
export interface NodeStats {
  readonly objects: number;
  readonly tags: number;
  readonly contracts: number;
  /** Live subscriptions of every event surface of every contract. */
  readonly subscriptions: number;
  /**
   * Values given to `set()` that expose contracts hold: at most one per contract and object. A tag
   * exposer's value for an object is dropped when the object leaves this node's view.
   */
  readonly exposedValues: number;
}

/**
 * A hakuban node: the place where a process exposes and observes objects. On its own it connects the
 * contracts made on it; linked into a tree (see `connect`/`listen`) it shares them network-wide.
 */
export class LocalNode {
  readonly name: string;
  /** @internal The node's exchange; links plug into it. */
  readonly exchange: Exchange;
  /** @internal The node's view of itself; links register their probes with it. */
  readonly monitor: NodeMonitor;
  private readonly contracts = new Set<NodeContract>();
  /** Network links (upstream connection, listeners) that close() closes after the contracts. */
  private readonly links = new Set<{ close(): Promise<void> }>();
  private readonly errors: ListenerSet<NodeError>;
  private readonly context: ContractContext;
  private closed = false;
  private errorStream: Observable<NodeError> | undefined;

  /**
   * Throws a RangeError for a `monitorIntervalMs` that is not a finite number above 0, and what
   * TagDescriptor.from throws for a `monitorTag` that is not a valid tag.
   */
  constructor(options: LocalNodeOptions = {}) {
    this.name = options.name ?? "hakuban";
    const { monitorTag, monitorIntervalMs } = options;
    if (monitorIntervalMs !== undefined) assertMonitorInterval(monitorIntervalMs, "monitorIntervalMs");
    const tag = monitorTag === undefined ? undefined : TagDescriptor.from(monitorTag);
    const report: ErrorSink = (error, context) => this.reportError(error, context);
    this.errors = new ListenerSet<NodeError>(consoleSink, this, "error");
    this.exchange = new Exchange(report);
    for (const codec of options.codecs ?? []) adoptedCodec(checkedCodec(codec), this.exchange);
    const clock = options.clock ?? tickClock;
    this.context = {
      exchange: this.exchange,
      clock,
      // Resolved once, so validating each set() reuses it as is.
      dataLimits: resolveDataLimits(options.dataLimits),
      forget: (contract) => this.contracts.delete(contract),
    };
    this.monitor = new NodeMonitor(
      {
        name: this.name,
        exchange: this.exchange,
        contracts: () => this.contracts.size,
        expose: (descriptor) => this.object(descriptor).expose<NodeSnapshot>(),
      },
      { clock, ...(monitorIntervalMs === undefined ? {} : { intervalMs: monitorIntervalMs }) },
    );
    if (tag !== undefined) this.monitor.start(tag);
  }

  /** `LocalNode <name>`, for logs and error reports. */
  toString(): string {
    return `LocalNode ${this.name}`;
  }

  /** A builder of contracts for one object (by tags and JSON, or by descriptor). */
  object(descriptor: ObjectDescriptor): ObjectContractBuilder;
  object(tags: Iterable<TagDescriptor | JsonValue>, json: JsonValue): ObjectContractBuilder;
  object(tagsOrDescriptor: ObjectDescriptor | Iterable<TagDescriptor | JsonValue>, json?: JsonValue): ObjectContractBuilder {
    const descriptor =
      tagsOrDescriptor instanceof ObjectDescriptor ? tagsOrDescriptor : new ObjectDescriptor(tagsOrDescriptor, json ?? null);
    return new ObjectContractBuilder(descriptor, (contract) => this.adopt(contract));
  }

  /** A builder of contracts for every object carrying a tag. */
  tag(descriptor: TagDescriptor | JsonValue): TagContractBuilder {
    return new TagContractBuilder(TagDescriptor.from(descriptor), (contract) => this.adopt(contract));
  }

  /** Exceptions thrown by application callbacks and subscribers. Without a listener they are logged. */
  get errors$(): Observable<NodeError> {
    return (this.errorStream ??= new GuardedObservable<NodeError>(consoleSink, this, (subscriber) =>
      this.errors.add((error) => subscriber.next(error)),
    ));
  }

  /** Calls `callback` for every exception caught from application code; returns the unsubscribe function. */
  onError(callback: (error: NodeError) => void): () => void {
    return this.errors.add(callback);
  }

  /** Counts of live objects, tags, contracts, subscriptions and values held by exposers. */
  stats(): NodeStats {
    let subscriptions = 0;
    let exposedValues = 0;
    for (const contract of this.contracts) {
      subscriptions += contract.subscriptionCount;
      exposedValues += contract.exposedValueCount;
    }
    const { objects, tags } = this.exchange;
    return { objects: objects.size, tags: tags.size, contracts: this.contracts.size, subscriptions, exposedValues };
  }

  /**
   * The node's view of itself, as plain JSON: its links (names, principals, round trips, traffic per
   * second), its objects (the busiest, with who is elected for each, versions, observers, updates per
   * second, sizes), counts and totals, and recent events (elections, handovers, refusals, denials). What
   * the node publishes under its monitor tag; rates are those of the last interval (`monitorIntervalMs`).
   */
  snapshot(): NodeSnapshot {
    return this.monitor.snapshot();
  }

  /** True once close() was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Terminates every contract (their streams complete), stops publishing the monitor object and, later, closes every link. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const contracts = [...this.contracts];
    for (const contract of contracts) if (contract.role === "observe") contract.terminate();
    for (const contract of contracts) contract.terminate();
    this.monitor.stop();
    const links = [...this.links];
    this.links.clear();
    await Promise.allSettled(links.map((link) => link.close()));
  }

  /**
   * @internal Registers a network link (used by `connect` and `listen`) so that close() closes it too.
   * Returns the function that unregisters it, for a link closed on its own. Throws NodeClosedError
   * on a closed node.
   */
  adoptLink(link: { close(): Promise<void> }): () => void {
    if (this.closed) throw new NodeClosedError("connecting a link");
    this.links.add(link);
    return () => {
      this.links.delete(link);
    };
  }

  private adopt<C extends NodeContract>(create: (context: ContractContext) => C): C {
    if (this.closed) throw new NodeClosedError("creating a contract");
    const contract = create(this.context);
    this.contracts.add(contract);
    return contract;
  }

  private reportError(error: unknown, context: string): void {
    if (this.errors.size === 0) consoleSink(error, `${this.name}: ${context}`);
    else this.errors.emit({ error, context });
  }
}

function consoleSink(error: unknown, context: string): void {
  console.error(`hakuban: exception in ${context}:`, error);
}
