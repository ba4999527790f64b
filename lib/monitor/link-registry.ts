import type { ChildLinkSample, LinkRegistration, LinkSample, UpstreamSample } from "./link-probe.js";
import type { LinkSnapshot, LinkSnapshotBase, UpstreamSnapshot } from "./node-snapshot.js";
import { RateSampler } from "./rate-sampler.js";

/** A node's links now: each child link's snapshot, the upstream's, and their traffic summed with that of the links gone. */
export interface LinksNow {
  readonly links: LinkSnapshot[];
  readonly upstream: UpstreamSnapshot | null;
  readonly traffic: LinkTraffic;
}

/** Counters summed over a node's links, closed ones included, and the bytes queued on the open ones. */
export interface LinkTraffic {
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly queuedBytes: number;
}

/** One registered link. */
interface Registered<S extends LinkSample> {
  readonly id: number;
  readonly since: number;
  readonly sample: () => S;
}

/**
 * The links registered with a node's monitor (child links and the upstream), their rates, and the
 * figures of the links gone. Each link is asked for its sample only when the monitor reads: the links
 * count, the registry does not. A removed link's last figures are kept in the sums, so they never go down.
 */
export class LinkRegistry {
  private lastId = 0;
  private readonly children = new Map<number, Registered<ChildLinkSample>>();
  private readonly upstreams = new Map<number, Registered<UpstreamSample>>();
  private readonly retired = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  private readonly messagesIn: RateSampler<number>;
  private readonly messagesOut: RateSampler<number>;
  private readonly bytesIn: RateSampler<number>;
  private readonly bytesOut: RateSampler<number>;

  /** `start`: when the node started, the beginning of the first rates' interval. */
  constructor(
    private readonly clock: () => number,
    start: number,
  ) {
    this.messagesIn = new RateSampler(start);
    this.messagesOut = new RateSampler(start);
    this.bytesIn = new RateSampler(start);
    this.bytesOut = new RateSampler(start);
  }

  /** Child links registered now. */
  get childCount(): number {
    return this.children.size;
  }

  addChild(sample: () => ChildLinkSample): LinkRegistration {
    return this.add(this.children, sample);
  }

  addUpstream(sample: () => UpstreamSample): LinkRegistration {
    return this.add(this.upstreams, sample);
  }

  /**
   * Every link's snapshot and the summed traffic, from one sample of each link. With `sampleAt`, the
   * samples are also the end of a rates' interval (at that time); else the last interval's rates are shown.
   */
  read(sampleAt: number | undefined): LinksNow {
    const children = [...this.children.values()].map((link) => [link, link.sample()] as const);
    const upstreams = [...this.upstreams.values()].map((link) => [link, link.sample()] as const);
    const all: Array<readonly [Registered<LinkSample>, LinkSample]> = [...children, ...upstreams];
    if (sampleAt !== undefined) this.sampleRates(sampleAt, all);
    const last = upstreams[upstreams.length - 1];
    return {
      links: children.map(([link, sample]) => ({
        ...this.base(link, sample),
        principal: sample.principal,
        address: sample.address,
        observed: sample.observed,
        exposed: sample.exposed,
      })),
      upstream: last === undefined ? null : { ...this.base(last[0], last[1]), url: last[1].url, status: last[1].status, lastError: last[1].lastError },
      traffic: this.sum(all.map(([, sample]) => sample)),
    };
  }

  /** The summed traffic alone (no snapshot of each link). */
  traffic(): LinkTraffic {
    const samples: LinkSample[] = [];
    for (const link of this.children.values()) samples.push(link.sample());
    for (const link of this.upstreams.values()) samples.push(link.sample());
    return this.sum(samples);
  }

  private add<S extends LinkSample>(links: Map<number, Registered<S>>, sample: () => S): LinkRegistration {
    const id = ++this.lastId;
    links.set(id, { id, since: this.clock(), sample });
    return {
      id,
      remove: () => {
        const link = links.get(id);
        if (link === undefined) return;
        const last = link.sample();
        const retired = this.retired;
        retired.messagesIn += last.messagesIn;
        retired.messagesOut += last.messagesOut;
        retired.bytesIn += last.bytesIn;
        retired.bytesOut += last.bytesOut;
        links.delete(id);
      },
    };
  }

  private sampleRates(now: number, links: ReadonlyArray<readonly [Registered<LinkSample>, LinkSample]>): void {
    const samplers = [this.messagesIn, this.messagesOut, this.bytesIn, this.bytesOut];
    for (const sampler of samplers) sampler.begin(now);
    for (const [{ id }, sample] of links) {
      this.messagesIn.count(id, sample.messagesIn);
      this.messagesOut.count(id, sample.messagesOut);
      this.bytesIn.count(id, sample.bytesIn);
      this.bytesOut.count(id, sample.bytesOut);
    }
    for (const sampler of samplers) sampler.end();
  }

  private base(link: Registered<LinkSample>, sample: LinkSample): LinkSnapshotBase {
    const { id } = link;
    return {
      id,
      name: sample.name,
      since: link.since,
      roundTripMs: sample.roundTripMs,
      in: { messagesPerSecond: this.messagesIn.rate(id), bytesPerSecond: this.bytesIn.rate(id) },
      out: { messagesPerSecond: this.messagesOut.rate(id), bytesPerSecond: this.bytesOut.rate(id) },
      queuedBytes: sample.queuedBytes,
    };
  }

  private sum(samples: readonly LinkSample[]): LinkTraffic {
    let { messagesIn, messagesOut, bytesIn, bytesOut } = this.retired;
    let queuedBytes = 0;
    for (const sample of samples) {
      messagesIn += sample.messagesIn;
      messagesOut += sample.messagesOut;
      bytesIn += sample.bytesIn;
      bytesOut += sample.bytesOut;
      queuedBytes += sample.queuedBytes;
    }
    return { messagesIn, messagesOut, bytesIn, bytesOut, queuedBytes };
  }
}
