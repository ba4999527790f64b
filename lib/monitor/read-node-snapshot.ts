import type { JsonValue } from "../descriptor/json-value.js";
import type { ObjectDescriptorJson } from "../descriptor/object-descriptor.js";
import type {
  ElectedExposer,
  LinkSnapshot,
  MonitorEvent,
  MonitorEventKind,
  NodeSnapshot,
  NodeTotals,
  ObjectSnapshot,
  TrafficRate,
  UpstreamSnapshot,
} from "./node-snapshot.js";

/**
 * Reads a monitor object's data as a NodeSnapshot, for whatever shows monitor objects (the inspector
 * page, `hakuban top`, your own program). The data comes from whichever node is allowed to expose under
 * the monitor tag, so nothing is assumed: a value without a node name and instance gives undefined, a
 * field of the wrong type is read as empty (0, null, ""), an event of an unknown kind is left out, and
 * each list is cut at 5000 entries.
 */
export function readNodeSnapshot(data: unknown): NodeSnapshot | undefined {
  if (!isRecord(data) || typeof data.node !== "string" || typeof data.instance !== "string") return undefined;
  return {
    node: data.node,
    instance: data.instance,
    at: count(data.at),
    startedAt: count(data.startedAt),
    intervalMs: count(data.intervalMs),
    upstream: readUpstream(data.upstream),
    links: list(data.links, readLink),
    objects: list(data.objects, readObject),
    totals: readTotals(data.totals),
    events: list(data.events, readEvent),
  };
}

const STATUSES: readonly UpstreamSnapshot["status"][] = ["connecting", "connected", "disconnected", "closed"];
const EVENT_KINDS: readonly MonitorEventKind[] = ["elected", "handover", "released", "linked", "unlinked", "refused", "denied", "limit", "upstream"];

/** The most entries of one list read from a snapshot: more would only slow what shows it down. */
const MAX_ENTRIES = 5000;

function readUpstream(value: unknown): UpstreamSnapshot | null {
  if (!isRecord(value)) return null;
  const status = STATUSES.find((known) => known === value.status) ?? "disconnected";
  return { ...readLinkBase(value), url: text(value.url), status, lastError: textOrNull(value.lastError) };
}

function readLink(value: Record<string, unknown>): LinkSnapshot {
  return {
    ...readLinkBase(value),
    principal: textOrNull(value.principal),
    address: text(value.address),
    observed: count(value.observed),
    exposed: count(value.exposed),
  };
}

function readLinkBase(value: Record<string, unknown>): Omit<LinkSnapshot, "principal" | "address" | "observed" | "exposed"> {
  return {
    id: count(value.id),
    name: textOrNull(value.name),
    since: count(value.since),
    roundTripMs: countOrNull(value.roundTripMs),
    in: readRate(value.in),
    out: readRate(value.out),
    queuedBytes: count(value.queuedBytes),
  };
}

function readRate(value: unknown): TrafficRate {
  const rate = isRecord(value) ? value : {};
  return { messagesPerSecond: count(rate.messagesPerSecond), bytesPerSecond: count(rate.bytesPerSecond) };
}

function readObject(value: Record<string, unknown>): ObjectSnapshot {
  return {
    descriptor: readDescriptor(value.descriptor),
    exposer: readExposer(value.exposer),
    version: Array.isArray(value.version) ? value.version.filter(isFiniteNumber) : null,
    epoch: countOrNull(value.epoch),
    synchronized: value.synchronized === true,
    observers: count(value.observers),
    exposers: count(value.exposers),
    updatesPerSecond: count(value.updatesPerSecond),
    stateBytes: countOrNull(value.stateBytes),
    diffBytes: countOrNull(value.diffBytes),
  };
}

function readDescriptor(value: unknown): ObjectDescriptorJson {
  if (!isRecord(value)) return { tags: [], json: null };
  return { tags: Array.isArray(value.tags) ? (value.tags as JsonValue[]) : [], json: (value.json ?? null) as JsonValue };
}

function readExposer(value: unknown): ElectedExposer | null {
  if (!isRecord(value)) return null;
  if (value.kind === "contract") return { kind: "contract" };
  if (value.kind === "upstream") return { kind: "upstream" };
  if (value.kind === "link") return { kind: "link", link: count(value.link), name: textOrNull(value.name) };
  return null;
}

function readTotals(value: unknown): NodeTotals {
  const totals = isRecord(value) ? value : {};
  return {
    links: count(totals.links),
    objects: count(totals.objects),
    tags: count(totals.tags),
    contracts: count(totals.contracts),
    queuedBytes: count(totals.queuedBytes),
    updates: count(totals.updates),
    elections: count(totals.elections),
    handovers: count(totals.handovers),
    refusals: count(totals.refusals),
    denials: count(totals.denials),
    messagesIn: count(totals.messagesIn),
    messagesOut: count(totals.messagesOut),
    bytesIn: count(totals.bytesIn),
    bytesOut: count(totals.bytesOut),
  };
}

/** An event of a kind this reader does not know is left out. */
function readEvent(value: Record<string, unknown>): MonitorEvent | undefined {
  const kind = EVENT_KINDS.find((known) => known === value.kind);
  if (kind === undefined) return undefined;
  return {
    at: count(value.at),
    kind,
    text: text(value.text),
    ...(isRecord(value.descriptor) ? { descriptor: readDescriptor(value.descriptor) } : {}),
    ...(isFiniteNumber(value.link) ? { link: value.link } : {}),
  };
}

function list<T>(value: unknown, read: (entry: Record<string, unknown>) => T | undefined): T[] {
  if (!Array.isArray(value)) return [];
  const entries: T[] = [];
  for (const entry of value.slice(0, MAX_ENTRIES)) {
    const item = isRecord(entry) ? read(entry) : undefined;
    if (item !== undefined) entries.push(item);
  }
  return entries;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function count(value: unknown): number {
  return isFiniteNumber(value) ? value : 0;
}

function countOrNull(value: unknown): number | null {
  return isFiniteNumber(value) ? value : null;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function textOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
