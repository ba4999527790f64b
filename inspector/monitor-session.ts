import { connect, type JsonValue, LocalNode, readNodeSnapshot, type Upstream, type UpstreamStatus } from "../lib/index.js";
import type { PublishedNode } from "./router-tree.js";

/** What the page knows at a moment: how its link stands and the snapshots the nodes publish. */
export interface SessionView {
  readonly url: string;
  readonly status: UpstreamStatus;
  /** Why the link last failed, if it did. */
  readonly lastError: string | undefined;
  /** Why the router's policy denies observing the monitor tag, while it does. */
  readonly denial: string | undefined;
  /** The publishing nodes with their latest snapshots. */
  readonly nodes: readonly PublishedNode[];
}

/** Longest wait between two dials, so the page is back soon after its router restarts. */
const MAX_REDIAL_DELAY_MS = 3000;

/**
 * The page as a hakuban node: linked to the router that served it (redialing when the link is lost),
 * observing the monitor tag, and keeping each monitor object's latest snapshot. `changed` is called
 * after every change of the link's status, of a snapshot, or of a denial of the tag.
 */
export class MonitorSession {
  private readonly node = new LocalNode({ name: "inspector" });
  private readonly upstream: Upstream;
  private readonly snapshots = new Map<string, PublishedNode>();
  private denial: string | undefined;

  constructor(
    readonly url: string,
    monitorTag: JsonValue,
    token: string | undefined,
    changed: () => void,
  ) {
    this.upstream = connect(this.node, url, { maxDelayMs: MAX_REDIAL_DELAY_MS, ...(token === undefined ? {} : { token }) });
    this.upstream.onStatus(changed);
    const observe = this.node.tag(monitorTag).observe();
    observe.denial$.subscribe((denial) => {
      this.denial = denial?.message;
      changed();
    });
    observe.changes$.subscribe((change) => {
      const key = change.descriptor.key;
      const snapshot = change.state === undefined ? undefined : readNodeSnapshot(change.state.data);
      if (snapshot === undefined) this.snapshots.delete(key);
      else this.snapshots.set(key, { key, snapshot });
      changed();
    });
  }

  /** The link's status and the snapshots now. */
  view(): SessionView {
    return {
      url: this.url,
      status: this.upstream.status,
      lastError: this.upstream.lastError?.message,
      denial: this.denial,
      nodes: [...this.snapshots.values()],
    };
  }

  /** Leaves the router and drops everything. */
  close(): Promise<void> {
    return this.node.close();
  }
}
