import type { SessionMuxStats } from "../../bindings/session-mux-stats.js";
import type { ChildLinkSample, LinkRegistration } from "../monitor/link-probe.js";
import type { NodeMonitor } from "../monitor/node-monitor.js";
import type { MonitorEvent, MonitorEventKind } from "../monitor/node-snapshot.js";
import type { DownstreamLink } from "../sync/down/downstream-link.js";
import { LinkLimitError } from "../sync/link-limit-error.js";
import { childName } from "./child-name.js";
import type { LinkLimitEvent } from "../sync/link-limits.js";
import type { DeniedEvent, RefusedEvent } from "../trust/audit-event.js";

/** What a child link's monitor reads of its connection: the mux's counters and what waits to be sent. */
export interface MonitoredConnection {
  readonly stats: SessionMuxStats;
  readonly bufferedAmount: number;
}

/**
 * One child link as a listener (`listen`, `listenPorts`) reports it to its node's monitor: registered
 * from the connection's acceptance to its end (its figures sampled only when the monitor asks), with the
 * link's events (linked, unlinked, refused, denied, limits) recorded under its id. Recording does not depend on the
 * listener's log or audit options: the monitor always hears.
 */
export class ChildLinkMonitor {
  readonly #monitor: NodeMonitor;
  readonly #connection: MonitoredConnection;
  readonly #peer: string;
  readonly #registration: LinkRegistration;
  #link: DownstreamLink | undefined;

  constructor(monitor: NodeMonitor, connection: MonitoredConnection, peer: string) {
    this.#monitor = monitor;
    this.#connection = connection;
    this.#peer = peer;
    this.#registration = monitor.addChildLink(() => this.#sample());
  }

  /** The link's id in the monitor's snapshots. */
  get id(): number {
    return this.#registration.id;
  }

  /** Samples `link` from now on, and names the registration in the place of the link's exposers. */
  watch(link: DownstreamLink): void {
    this.#link = link;
    link.place.link.id = this.#registration.id;
  }

  /** The link refused the child (its credentials, its protocol) or denied it an object or a tag. */
  refusedOrDenied(event: RefusedEvent | DeniedEvent): void {
    if (event.kind === "refused") this.#record("refused", `refused ${event.link ?? this.#peer}: ${event.reason}`);
    else this.#record("denied", event.reason, event.descriptor);
  }

  /** The child's Hello was accepted. */
  linked(name: string): void {
    const principal = this.#link?.principal;
    this.#record("linked", `child ${JSON.stringify(name)} linked (${this.#peer})${principal === undefined ? "" : ` as ${JSON.stringify(principal)}`}`);
  }

  /** A request of the child went over one of its link's limits, or the link is congested. */
  overLimit(event: LinkLimitEvent): void {
    this.#record("limit", `${this.#who()} over ${event.limit} (${event.value}): ${event.what}`);
  }

  /** The connection said no Hello within `helloTimeoutMs`. */
  helloTimedOut(helloTimeoutMs: number): void {
    this.#record("refused", `dropped ${this.#peer}: no Hello within ${helloTimeoutMs} ms (helloTimeoutMs)`);
  }

  /**
   * The link ended (`error`: why, undefined when cleanly): a link over its limits is recorded as such, a
   * linked one as unlinked with the reason; then the registration goes (its figures join the node's totals).
   */
  ended(error: Error | undefined): void {
    if (error instanceof LinkLimitError) this.#record("limit", `${this.#who()} closed: ${error.message}`);
    if (this.#link?.peerName !== undefined) this.#record("unlinked", `child ${this.#who()} ${error === undefined ? "closed" : `disconnected: ${error.message}`}`);
    this.#registration.remove();
  }

  #who(): string {
    return childName(this.#link?.peerName, this.#peer);
  }

  #record(kind: MonitorEventKind, text: string, descriptor?: MonitorEvent["descriptor"]): void {
    this.#monitor.record({ kind, text, link: this.#registration.id, ...(descriptor === undefined ? {} : { descriptor }) });
  }

  #sample(): ChildLinkSample {
    const link = this.#link;
    const { stats, bufferedAmount } = this.#connection;
    // The interest counts walk the link's objects, so they are counted only when read: a snapshot reads
    // them, while the metrics' totals and the link's removal read only the traffic.
    let interest: { readonly observed: number; readonly exposed: number } | undefined;
    const counts = () => (interest ??= link?.interestCounts() ?? { observed: 0, exposed: 0 });
    return {
      name: link?.peerName ?? null,
      principal: link?.principal ?? null,
      address: this.#peer,
      roundTripMs: link?.roundTripMs ?? null,
      messagesIn: stats.messagesIn,
      messagesOut: stats.messagesOut,
      bytesIn: stats.bytesIn,
      bytesOut: stats.bytesOut,
      queuedBytes: bufferedAmount,
      get observed() {
        return counts().observed;
      },
      get exposed() {
        return counts().exposed;
      },
    };
  }
}
