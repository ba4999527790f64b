import type { LinkSnapshotBase, NodeSnapshot } from "../lib/index.js";
import { type Child, h, replaceChildren } from "./element.js";
import { formatBytes, formatDuration, formatNumber, formatRoundTrip, formatTime } from "./format.js";

/**
 * The selected node at a glance: the tree's size, its links, objects, updates (the sum of its objects'
 * rates), traffic (over every link, the upstream too), uptime and upstream.
 */
export class OverviewView {
  readonly element = h("section", { id: "overview", class: "cards", "aria-label": "Overview" });

  /** Shows `snapshot`, one of `nodeCount` nodes that publish. */
  update(snapshot: NodeSnapshot, nodeCount: number): void {
    const links: LinkSnapshotBase[] = [...snapshot.links, ...(snapshot.upstream === null ? [] : [snapshot.upstream])];
    const sum = (rate: (link: LinkSnapshotBase) => number) => links.reduce((total, link) => total + rate(link), 0);
    const updates = snapshot.objects.reduce((total, object) => total + object.updatesPerSecond, 0);
    const upstream = snapshot.upstream;
    replaceChildren(
      this.element,
      card("nodes", "Nodes", formatNumber(nodeCount), "publishing"),
      card("links", "Links", formatNumber(snapshot.links.length), `${formatBytes(snapshot.totals.queuedBytes)} queued`),
      card("objects", "Objects", formatNumber(snapshot.totals.objects), `${formatNumber(snapshot.totals.elections)} elections`),
      card("updates", "Updates/s", formatNumber(updates), `${formatNumber(snapshot.totals.updates)} in all`),
      card("in", "In", `${formatBytes(sum((link) => link.in.bytesPerSecond))}/s`, `${formatNumber(sum((link) => link.in.messagesPerSecond))} msg/s`),
      card("out", "Out", `${formatBytes(sum((link) => link.out.bytesPerSecond))}/s`, `${formatNumber(sum((link) => link.out.messagesPerSecond))} msg/s`),
      card("uptime", "Uptime", formatDuration(snapshot.at - snapshot.startedAt), `since ${formatTime(snapshot.startedAt)}`),
      upstream === null
        ? card("upstream", "Upstream", "root", "no parent")
        : card("upstream", "Upstream", h("span", { class: `status-text status-${upstream.status}` }, upstream.status), `${upstream.url} · ${formatRoundTrip(upstream.roundTripMs)}`),
    );
  }
}

function card(name: string, label: string, value: Child, detail: string): HTMLElement {
  return h(
    "div",
    { class: "card", "data-card": name },
    h("div", { class: "card-label" }, label),
    h("div", { class: "card-value" }, value),
    h("div", { class: "card-detail", title: detail }, detail),
  );
}
