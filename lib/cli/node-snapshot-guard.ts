import type { LinkSnapshot, NodeSnapshot, ObjectSnapshot, UpstreamSnapshot } from "../monitor/node-snapshot.js";

/**
 * `value` as a NodeSnapshot when it has the shape `hakuban top` reads, else undefined: anyone permitted
 * may expose objects under a monitor tag, so a state there is checked before it is shown.
 */
export function asNodeSnapshot(value: unknown): NodeSnapshot | undefined {
  if (!isRecord(value)) return undefined;
  const { node, instance, at, startedAt, intervalMs, upstream, links, objects, totals, events } = value;
  if (typeof node !== "string" || typeof instance !== "string") return undefined;
  if (!isNumber(at) || !isNumber(startedAt) || !isNumber(intervalMs)) return undefined;
  if (upstream !== null && !isUpstream(upstream)) return undefined;
  if (!Array.isArray(links) || !links.every(isLink)) return undefined;
  if (!Array.isArray(objects) || !objects.every(isObject)) return undefined;
  if (!isRecord(totals) || !Object.values(totals).every(isNumber)) return undefined;
  if (!Array.isArray(events)) return undefined;
  return value as unknown as NodeSnapshot;
}

function isLinkBase(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const { id, name, since, roundTripMs, queuedBytes } = value;
  return isNumber(id) && isNullableString(name) && isNumber(since) && (roundTripMs === null || isNumber(roundTripMs)) && isNumber(queuedBytes) && isRate(value.in) && isRate(value.out);
}

function isLink(value: unknown): value is LinkSnapshot {
  if (!isLinkBase(value)) return false;
  const { principal, address, observed, exposed } = value;
  return isNullableString(principal) && typeof address === "string" && isNumber(observed) && isNumber(exposed);
}

function isUpstream(value: unknown): value is UpstreamSnapshot {
  if (!isLinkBase(value)) return false;
  const { url, status, lastError } = value;
  return typeof url === "string" && typeof status === "string" && isNullableString(lastError);
}

function isObject(value: unknown): value is ObjectSnapshot {
  if (!isRecord(value)) return false;
  const { descriptor, exposer, version, observers, updatesPerSecond, stateBytes } = value;
  return (
    isRecord(descriptor) &&
    Array.isArray(descriptor.tags) &&
    (exposer === null || (isRecord(exposer) && typeof exposer.kind === "string")) &&
    (version === null || (Array.isArray(version) && version.every(isNumber))) &&
    isNumber(observers) &&
    isNumber(updatesPerSecond) &&
    (stateBytes === null || isNumber(stateBytes))
  );
}

function isRate(value: unknown): boolean {
  return isRecord(value) && isNumber(value.messagesPerSecond) && isNumber(value.bytesPerSecond);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === "string";
}
