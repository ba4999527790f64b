import type { LinkSnapshot } from "../lib/index.js";
import { h } from "./element.js";
import { formatBytes, formatNumber, formatRoundTrip } from "./format.js";
import { type Column, SortableTable } from "./sortable-table.js";

const COLUMNS: readonly Column<LinkSnapshot>[] = [
  { key: "name", label: "Name", sortValue: (link) => link.name ?? "", cell: (link) => link.name ?? h("span", { class: "muted" }, "handshaking") },
  { key: "principal", label: "Principal", sortValue: (link) => link.principal ?? "", cell: (link) => link.principal ?? h("span", { class: "muted" }, "–") },
  { key: "address", label: "Address", sortValue: (link) => link.address },
  { key: "rtt", label: "Round trip", numeric: true, sortValue: (link) => link.roundTripMs ?? -1, cell: (link) => formatRoundTrip(link.roundTripMs) },
  { key: "msgsIn", label: "Msg/s in", numeric: true, sortValue: (link) => link.in.messagesPerSecond, cell: (link) => formatNumber(link.in.messagesPerSecond) },
  { key: "msgsOut", label: "Msg/s out", numeric: true, sortValue: (link) => link.out.messagesPerSecond, cell: (link) => formatNumber(link.out.messagesPerSecond) },
  { key: "bytesIn", label: "Bytes/s in", numeric: true, sortValue: (link) => link.in.bytesPerSecond, cell: (link) => formatBytes(link.in.bytesPerSecond) },
  { key: "bytesOut", label: "Bytes/s out", numeric: true, sortValue: (link) => link.out.bytesPerSecond, cell: (link) => formatBytes(link.out.bytesPerSecond) },
  { key: "queued", label: "Queued", numeric: true, title: "Bytes waiting to be sent", sortValue: (link) => link.queuedBytes, cell: (link) => formatBytes(link.queuedBytes) },
  { key: "observed", label: "Observed", numeric: true, title: "Objects the child's subtree observes", sortValue: (link) => link.observed, cell: (link) => formatNumber(link.observed) },
  { key: "exposed", label: "Exposed", numeric: true, title: "Objects whose elected exposer is in the child's subtree", sortValue: (link) => link.exposed, cell: (link) => formatNumber(link.exposed) },
];

/** The selected node's child links, sortable by any column. */
export class LinksView {
  private readonly table = new SortableTable(COLUMNS, { key: "name", descending: false }, "No child links.");
  private readonly count = h("span", { class: "count" });
  readonly element = h("section", { id: "links" }, h("h2", {}, "Links ", this.count), this.table.element);

  /** Shows `links`. */
  update(links: readonly LinkSnapshot[]): void {
    this.count.textContent = String(links.length);
    this.table.update(links);
  }
}
