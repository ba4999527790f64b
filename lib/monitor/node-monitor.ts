import type { ObjectExpose } from "../contracts/object-expose.js";
import type { JsonValue } from "../descriptor/json-value.js";
import { ObjectDescriptor, type ObjectDescriptorJson } from "../descriptor/object-descriptor.js";
import { TagDescriptor } from "../descriptor/tag-descriptor.js";
import type { Exchange } from "../exchange/exchange.js";
import { ElectionLog, ElectionRecord } from "./election-log.js";
import { EventRing } from "./event-ring.js";
import { instanceId } from "./instance-id.js";
import type { ChildLinkSample, LinkRegistration, UpstreamSample } from "./link-probe.js";
import { LinkRegistry, type LinkTraffic } from "./link-registry.js";
import { assertMonitorInterval, DEFAULT_MONITOR_INTERVAL_MS } from "./monitor-interval.js";
import { MonitorPublisher } from "./monitor-publisher.js";
import { RUNTIME_TIMERS, type MonitorTimers } from "./monitor-timers.js";
import type { MonitorEvent, MonitorEventKind, NodeSnapshot, NodeTotals } from "./node-snapshot.js";
import { ObjectTable } from "./object-table.js";

/** What a monitor needs of its node. */
export interface MonitorHost {
  readonly name: string;
  readonly exchange: Exchange;
  /** How many contracts the node holds now. */
  contracts(): number;
  /** A new expose contract of the node for `descriptor` (the monitor object). */
  expose(descriptor: ObjectDescriptor): ObjectExpose<NodeSnapshot>;
}

/** Options of a NodeMonitor. */
export interface NodeMonitorOptions {
  /** Milliseconds since the epoch. Default: Date.now. */
  readonly clock?: () => number;
  /** Milliseconds between two samples of the rates and two published snapshots. Default: 1000. */
  readonly intervalMs?: number;
  /** Events kept for the snapshot, the most recent. Default: 100. */
  readonly maxEvents?: number;
  /** Objects listed in the snapshot, the busiest. Default: 1000. */
  readonly maxObjects?: number;
  /** The refresh timer. Default: the runtime's (unref'd in Node). */
  readonly timers?: MonitorTimers;
}

/** An event as `record` takes it: the monitor adds the time. */
export interface MonitorEventInput {
  readonly kind: MonitorEventKind;
  readonly text: string;
  readonly descriptor?: ObjectDescriptorJson;
  readonly link?: number;
}

/**
 * A node's view of itself (links, objects, elections, rates, events) as a NodeSnapshot of plain JSON,
 * and, once started with a monitor tag, that snapshot published as an object of the node exposed by the
 * node itself, refreshed while it is observed. Links report to it through probes they register; the
 * exchange tells it of elections; nothing is measured until a snapshot is taken.
 *
 * Rates are per second over the last interval: a sample of the counters is taken at most once per
 * interval (each refresh of the published object takes one), so reading `snapshot()` in between shows
 * the last rates and does not disturb what observers see.
 */
export class NodeMonitor {
  /** Random per node instance (see NodeSnapshot.instance). */
  readonly instance = instanceId();
  /** When the node started, in milliseconds since the epoch. */
  readonly startedAt: number;
  private readonly clock: () => number;
  private readonly timers: MonitorTimers;
  private readonly maxObjects: number;
  private interval: number;
  private lastSampleAt: number;
  private readonly links: LinkRegistry;
  private readonly objects: ObjectTable;
  private readonly events: EventRing<MonitorEvent | ElectionRecord>;
  private readonly elections: ElectionLog;
  private refusals = 0;
  private denials = 0;
  private publisher: MonitorPublisher | undefined;
  private monitorTag: TagDescriptor | undefined;

  constructor(
    private readonly host: MonitorHost,
    options: NodeMonitorOptions = {},
  ) {
    const { intervalMs = DEFAULT_MONITOR_INTERVAL_MS, maxEvents = 100, maxObjects = 1000 } = options;
    assertMonitorInterval(intervalMs, "intervalMs");
    assertCount(maxEvents, "maxEvents");
    assertCount(maxObjects, "maxObjects");
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? RUNTIME_TIMERS;
    this.interval = intervalMs;
    this.maxObjects = maxObjects;
    this.startedAt = this.lastSampleAt = this.clock();
    this.links = new LinkRegistry(this.clock, this.startedAt);
    this.objects = new ObjectTable(this.startedAt);
    this.events = new EventRing(maxEvents);
    this.elections = new ElectionLog(this.events, this.clock);
    host.exchange.electionWatcher = this.elections;
  }

  /** The tag the node's snapshot is published under, or undefined while it is not. */
  get tag(): TagDescriptor | undefined {
    return this.monitorTag;
  }

  /** Milliseconds between two samples of the rates and two published snapshots. */
  get intervalMs(): number {
    return this.interval;
  }

  /** Registers a child link, which tells its figures through `sample` whenever the monitor reads. */
  addChildLink(sample: () => ChildLinkSample): LinkRegistration {
    return this.links.addChild(sample);
  }

  /** Registers the link to the parent (one at a time; the latest registered is the snapshot's upstream). */
  addUpstream(sample: () => UpstreamSample): LinkRegistration {
    return this.links.addUpstream(sample);
  }

  /** Adds an event to the log; "refused" and "denied" also count in the totals' refusals and denials. */
  record(event: MonitorEventInput): void {
    if (event.kind === "refused") this.refusals++;
    else if (event.kind === "denied") this.denials++;
    const { kind, text, descriptor, link } = event;
    this.events.push({
      at: this.clock(),
      kind,
      text,
      ...(descriptor === undefined ? {} : { descriptor }),
      ...(link === undefined ? {} : { link }),
    });
  }

  /** The node now; rates of the last interval (a new one is sampled if an interval has passed and no published object samples them). */
  snapshot(): NodeSnapshot {
    const now = this.clock();
    return this.take(now, this.publisher?.publishing !== true && this.due(now));
  }

  /** Counts now and totals since the node started, without listing links, objects or events. */
  totals(): NodeTotals {
    return this.totalsOf(this.links.traffic());
  }

  /**
   * Publishes the node's snapshot under `tag`, as object `{ node: <name>, instance: <instance> }` with
   * that one tag, exposed by the node itself: refreshed every `intervalMs` (default: as it is, 1000 at
   * first) while it is observed, not at all otherwise. Started again with the same tag, only the
   * interval changes; with another, the object under the former tag ends. Throws a RangeError for an
   * interval that is not a finite number above 0, InvalidJsonError for a tag that is not valid JSON.
   */
  start(tag: TagDescriptor | JsonValue, options: { readonly intervalMs?: number } = {}): void {
    const descriptor = TagDescriptor.from(tag);
    const { intervalMs } = options;
    if (intervalMs !== undefined) {
      assertMonitorInterval(intervalMs, "intervalMs");
      this.interval = intervalMs;
    }
    if (this.publisher !== undefined && this.monitorTag?.equals(descriptor)) {
      this.publisher.setInterval(this.interval);
      return;
    }
    this.stop();
    const object = new ObjectDescriptor([descriptor], { node: this.host.name, instance: this.instance });
    this.publisher = new MonitorPublisher(
      this.host.expose(object),
      this.interval,
      (refresh) => {
        const now = this.clock();
        return this.take(now, refresh || this.due(now));
      },
      this.timers,
      this.host.exchange.reportError,
    );
    this.monitorTag = descriptor;
  }

  /** Stops publishing the snapshot (its object ends); `start` may publish it again. */
  stop(): void {
    const publisher = this.publisher;
    if (publisher === undefined) return;
    this.publisher = undefined;
    this.monitorTag = undefined;
    publisher.stop();
  }

  /** Whether an interval passed since the last sample at `now`. */
  private due(now: number): boolean {
    return now - this.lastSampleAt >= this.interval;
  }

  private take(now: number, sample: boolean): NodeSnapshot {
    const { objects } = this.host.exchange;
    if (sample) {
      this.objects.sampleRates(now, objects.values());
      this.lastSampleAt = now;
    }
    const { links, upstream, traffic } = this.links.read(sample ? now : undefined);
    return {
      node: this.host.name,
      instance: this.instance,
      at: now,
      startedAt: this.startedAt,
      intervalMs: this.interval,
      upstream,
      links,
      objects: this.objects.list(objects.values(), this.maxObjects),
      totals: this.totalsOf(traffic),
      events: this.events.toArray().map((event) => (event instanceof ElectionRecord ? event.toEvent() : event)),
    };
  }

  private totalsOf(traffic: LinkTraffic): NodeTotals {
    const { exchange } = this.host;
    return {
      links: this.links.childCount,
      objects: exchange.objects.size,
      tags: exchange.tags.size,
      contracts: this.host.contracts(),
      queuedBytes: traffic.queuedBytes,
      updates: exchange.updates,
      elections: this.elections.elections,
      handovers: this.elections.handovers,
      refusals: this.refusals,
      denials: this.denials,
      messagesIn: traffic.messagesIn,
      messagesOut: traffic.messagesOut,
      bytesIn: traffic.bytesIn,
      bytesOut: traffic.bytesOut,
    };
  }
}

/** Throws a RangeError naming `option` unless `value` is an integer ≥ 0. */
function assertCount(value: number, option: string): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${option} must be an integer of 0 or more (got ${String(value)})`);
}
