import type { ElectedExposer, LinkSnapshot, NodeSnapshot, ObjectSnapshot, TrafficRate, UpstreamSnapshot } from "../monitor/node-snapshot.js";
import type { TopSort } from "./cli-options.js";
import { descriptorText } from "./descriptor-text.js";
import { textTable } from "./text-table.js";

/** How many of each node's objects a frame shows: the busiest (a snapshot lists them busiest first). */
export const TOP_OBJECTS = 5;

/** What a frame says besides the snapshots. */
export interface TopFrameOptions {
  /** The parent the client is linked to. */
  readonly url: string;
  /** The monitor tag observed, as its canonical JSON text. */
  readonly tag: string;
  readonly sort: TopSort;
  /** Milliseconds since the epoch: the frame's clock, and what tells a snapshot that stopped coming. */
  readonly now: number;
  /** Lines longer than this many columns are cut (a terminal's width); absent: none is. */
  readonly width?: number;
}

/**
 * One frame of `hakuban top`, as plain text: a heading line, then per node (by name) a summary line,
 * its upstream, its links sorted by `options.sort`, and its busiest objects. A snapshot older than three
 * of its intervals is marked stale, with its age. Pure: the same snapshots and options give the same text.
 */
export function renderTopFrame(snapshots: readonly NodeSnapshot[], options: TopFrameOptions): string {
  const nodes = [...snapshots].sort((a, b) => compareText(a.node, b.node) || compareText(a.instance, b.instance));
  const lines = [`hakuban top  ${options.url}  tag ${options.tag}  ${count(nodes.length, "node")}  links by ${options.sort}  ${clock(options.now)}`];
  if (nodes.length === 0) lines.push("", `No monitor objects yet: is a router started with --monitor-tag ${options.tag}, and may this client observe it?`);
  for (const snapshot of nodes) lines.push("", ...nodeLines(snapshot, options));
  const { width } = options;
  const cut = width === undefined ? lines : lines.map((line) => (line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line));
  return `${cut.join("\n")}\n`;
}

function nodeLines(snapshot: NodeSnapshot, options: TopFrameOptions): string[] {
  const { totals } = snapshot;
  const age = options.now - snapshot.at;
  const stale = age > 3 * snapshot.intervalMs ? `  STALE (${duration(age)} old)` : "";
  const lines = [
    `${snapshot.node} [${snapshot.instance.slice(0, 8)}]  up ${duration(snapshot.at - snapshot.startedAt)}  links ${totals.links}  objects ${totals.objects}  ` +
      `tags ${totals.tags}  contracts ${totals.contracts}  queued ${bytes(totals.queuedBytes)}  updates ${totals.updates}  elections ${totals.elections}  ` +
      `handovers ${totals.handovers}  refusals ${totals.refusals}  denials ${totals.denials}${stale}`,
    `  ${upstreamLine(snapshot.upstream)}`,
  ];
  if (snapshot.links.length === 0) lines.push("  no child links");
  else lines.push(...textTable(LINK_COLUMNS, sortLinks(snapshot.links, options.sort).map(linkRow), "  "));
  const busiest = snapshot.objects.slice(0, TOP_OBJECTS);
  if (busiest.length === 0) lines.push("  no objects");
  else {
    const more = totals.objects > busiest.length ? `  (busiest ${busiest.length} of ${totals.objects})` : "";
    const [heading = "", ...rows] = textTable(OBJECT_COLUMNS, busiest.map(objectRow), "  ");
    lines.push(heading + more, ...rows);
  }
  return lines;
}

function upstreamLine(upstream: UpstreamSnapshot | null): string {
  if (upstream === null) return "upstream: none (a root)";
  const why = upstream.lastError === null || upstream.status === "connected" ? "" : `  (${upstream.lastError})`;
  return (
    `upstream: ${upstream.url} ${upstream.status}${upstream.name === null ? "" : ` to "${upstream.name}"`}  rtt ${roundTrip(upstream.roundTripMs)}  ` +
    `in ${traffic(upstream.in)}  out ${traffic(upstream.out)}  queued ${bytes(upstream.queuedBytes)}${why}`
  );
}

const LINK_COLUMNS = [
  { heading: "LINK", right: true },
  { heading: "NAME" },
  { heading: "PRINCIPAL" },
  { heading: "ADDRESS" },
  { heading: "RTT", right: true },
  { heading: "MSG/S IN", right: true },
  { heading: "IN/S", right: true },
  { heading: "MSG/S OUT", right: true },
  { heading: "OUT/S", right: true },
  { heading: "QUEUED", right: true },
  { heading: "OBSERVED", right: true },
  { heading: "EXPOSED", right: true },
];

function linkRow(link: LinkSnapshot): string[] {
  return [
    `#${link.id}`,
    link.name ?? "-",
    link.principal ?? "-",
    link.address,
    roundTrip(link.roundTripMs),
    rate(link.in.messagesPerSecond),
    bytes(link.in.bytesPerSecond),
    rate(link.out.messagesPerSecond),
    bytes(link.out.bytesPerSecond),
    bytes(link.queuedBytes),
    String(link.observed),
    String(link.exposed),
  ];
}

const OBJECT_COLUMNS = [
  { heading: "OBJECT" },
  { heading: "EXPOSER" },
  { heading: "UPDATES/S", right: true },
  { heading: "OBSERVERS", right: true },
  { heading: "VERSION" },
  { heading: "SIZE", right: true },
  { heading: "SYNC" },
];

/** Longest descriptor text shown in a frame's objects table. */
const DESCRIPTOR_COLUMNS = 48;

function objectRow(object: ObjectSnapshot): string[] {
  const descriptor = descriptorText(object.descriptor);
  return [
    descriptor.length > DESCRIPTOR_COLUMNS ? `${descriptor.slice(0, DESCRIPTOR_COLUMNS - 1)}…` : descriptor,
    exposerText(object.exposer),
    rate(object.updatesPerSecond),
    String(object.observers),
    object.version === null ? "-" : JSON.stringify(object.version),
    object.stateBytes === null ? "-" : bytes(object.stateBytes),
    object.synchronized ? "yes" : "no",
  ];
}

function exposerText(exposer: ElectedExposer | null): string {
  if (exposer === null) return "-";
  if (exposer.kind === "contract") return "local";
  if (exposer.kind === "upstream") return "upstream";
  return `#${exposer.link}${exposer.name === null ? "" : ` ${exposer.name}`}`;
}

/** The links in `sort`'s order: the figures largest first (a link not measured yet last), names alphabetically; ties by id. */
export function sortLinks(links: readonly LinkSnapshot[], sort: TopSort): LinkSnapshot[] {
  const figure: Record<Exclude<TopSort, "name">, (link: LinkSnapshot) => number> = {
    rtt: (link) => link.roundTripMs ?? -1,
    in: (link) => link.in.bytesPerSecond,
    out: (link) => link.out.bytesPerSecond,
    queued: (link) => link.queuedBytes,
  };
  const order =
    sort === "name"
      ? (a: LinkSnapshot, b: LinkSnapshot): number => (a.name === null ? 1 : 0) - (b.name === null ? 1 : 0) || compareText(a.name ?? "", b.name ?? "")
      : (a: LinkSnapshot, b: LinkSnapshot): number => figure[sort](b) - figure[sort](a);
  return [...links].sort((a, b) => order(a, b) || a.id - b.id);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** The wall-clock time of `at` (UTC), e.g. 14:03:07. */
function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

/** A duration, e.g. 12s, 5m03s, 1h02m, 3d04h. */
function duration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number): string => String(n).padStart(2, "0");
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${two(seconds % 60)}s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h${two(Math.floor(seconds / 60) % 60)}m`;
  return `${Math.floor(seconds / 86_400)}d${two(Math.floor(seconds / 3600) % 24)}h`;
}

function roundTrip(ms: number | null): string {
  if (ms === null) return "-";
  return ms < 10 ? `${ms.toFixed(1)}ms` : `${Math.round(ms)}ms`;
}

/** A count per second: one decimal below 100, k and M above 10 000. */
function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond < 100 && !Number.isInteger(perSecond) ? perSecond.toFixed(1) : String(Math.round(perSecond));
}

/** A number of bytes in B, KiB, MiB or GiB. */
function bytes(n: number): string {
  const units = ["KiB", "MiB", "GiB"];
  if (n < 1024) return `${Math.round(n)}B`;
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)}${units[unit]}`;
}

function traffic(flow: TrafficRate): string {
  return `${rate(flow.messagesPerSecond)} msg/s ${bytes(flow.bytesPerSecond)}/s`;
}
