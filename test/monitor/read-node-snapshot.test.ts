/**
 * Monitor objects are read as untrusted input: a real snapshot reads back whole, anything
 * else never breaks it, and a field of the wrong type reads as empty.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readNodeSnapshot } from "../../lib/monitor/read-node-snapshot.js";
import { LocalNode } from "../../lib/node-entry.js";
import type { NodeSnapshot } from "../../lib/monitor/node-snapshot.js";

const rate = (messagesPerSecond: number, bytesPerSecond: number) => ({ messagesPerSecond, bytesPerSecond });

/** A snapshot with every field and every variant filled in. */
const FULL: NodeSnapshot = {
  node: "edge",
  instance: "5f3a",
  at: 1_700_000_005_000,
  startedAt: 1_700_000_000_000,
  intervalMs: 1000,
  upstream: { id: 1, name: "root", since: 1_700_000_000_100, roundTripMs: 0.8, in: rate(3, 300), out: rate(4, 400), queuedBytes: 12, url: "ws://root:4000/", status: "connected", lastError: "dial timed out" },
  links: [
    { id: 2, name: "sensor", since: 1_700_000_001_000, roundTripMs: null, in: rate(5, 500), out: rate(6, 600), queuedBytes: 0, principal: "alice", address: "ws://10.0.0.2:50312", observed: 1, exposed: 2 },
  ],
  objects: [
    { descriptor: { tags: ["sensors"], json: { id: 1 } }, exposer: { kind: "link", link: 2, name: "sensor" }, version: [3, 1], epoch: 2, synchronized: true, observers: 2, exposers: 1, updatesPerSecond: 4.5, stateBytes: 120, diffBytes: 30 },
    { descriptor: { tags: [], json: "b" }, exposer: { kind: "upstream" }, version: null, epoch: null, synchronized: false, observers: 1, exposers: 0, updatesPerSecond: 0, stateBytes: null, diffBytes: null },
    { descriptor: { tags: [], json: "c" }, exposer: { kind: "contract" }, version: [1], epoch: 1, synchronized: true, observers: 1, exposers: 1, updatesPerSecond: 1, stateBytes: 2, diffBytes: null },
    { descriptor: { tags: [], json: "d" }, exposer: null, version: null, epoch: null, synchronized: false, observers: 1, exposers: 0, updatesPerSecond: 0, stateBytes: null, diffBytes: null },
  ],
  totals: { links: 1, objects: 4, tags: 1, contracts: 2, queuedBytes: 12, updates: 40, elections: 3, handovers: 1, refusals: 2, denials: 1, messagesIn: 100, messagesOut: 90, bytesIn: 10_000, bytesOut: 9_000 },
  events: [
    { at: 1_700_000_002_000, kind: "elected", text: '"sensor" elected for {"id":1} #"sensors"', descriptor: { tags: ["sensors"], json: { id: 1 } }, link: 2 },
    { at: 1_700_000_003_000, kind: "refused", text: "refused: too many connections" },
  ],
};

/** Every path to a value inside `value`. */
function paths(value: unknown, prefix: readonly (string | number)[] = []): (readonly (string | number)[])[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([key, inner]) => paths(inner, [...prefix, Array.isArray(value) ? Number(key) : key]))];
}

function replaced(value: unknown, path: readonly (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = replaced(copy[head!], rest, by);
  return copy;
}

/** Every number in `value` is finite (descriptors aside: they are shown as JSON text, whatever they hold). */
function numbersFinite(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value === "object" && value !== null) return Object.entries(value).every(([key, inner]) => key === "descriptor" || numbersFinite(inner));
  return true;
}

describe("readNodeSnapshot", () => {
  it("reads a snapshot with every field back whole", () => {
    expect(readNodeSnapshot(JSON.parse(JSON.stringify(FULL)))).toEqual(FULL);
  });

  it("reads what a node publishes", async () => {
    const node = new LocalNode({ name: "reader" });
    node.object(["sensors"], { id: 1 }).expose().set({ celsius: 20 });
    node.object(["sensors"], { id: 1 }).observe();
    const published = JSON.parse(JSON.stringify(node.snapshot())) as unknown;
    expect(readNodeSnapshot(published)).toEqual(published);
    await node.close();
  });

  it("gives undefined for what is not a snapshot", () => {
    for (const value of [null, 3, "edge", [], {}, { node: "edge" }, { instance: "x" }, { node: 1, instance: "x" }]) expect(readNodeSnapshot(value)).toBeUndefined();
  });

  it("reads a field of the wrong type as empty, and leaves out entries it cannot read", () => {
    const snapshot = readNodeSnapshot({
      node: "n",
      instance: "i",
      at: "soon",
      upstream: { status: "sideways", url: 7, roundTripMs: Number.NaN },
      links: [1, { name: 5, in: "fast", observed: -1 }],
      objects: "many",
      totals: null,
      events: [{ kind: "gossip", text: "?" }, { kind: "denied", text: 3, link: "x" }],
    })!;
    expect(snapshot.at).toBe(0);
    expect(snapshot.upstream).toMatchObject({ status: "disconnected", url: "", roundTripMs: null, name: null });
    expect(snapshot.links).toHaveLength(1);
    expect(snapshot.links[0]).toMatchObject({ name: null, in: rate(0, 0), observed: -1, address: "" });
    expect(snapshot.objects).toEqual([]);
    expect(snapshot.totals.updates).toBe(0);
    expect(snapshot.events).toEqual([{ at: 0, kind: "denied", text: "" }]);
  });

  it("never throws, and reads only finite numbers, whatever replaces any part of a snapshot", () => {
    const all = paths(FULL);
    fc.assert(
      fc.property(fc.nat({ max: all.length - 1 }), fc.oneof(fc.jsonValue(), fc.constantFrom(Number.NaN, Infinity, undefined)), (index, by) => {
        const snapshot = readNodeSnapshot(replaced(FULL, all[index]!, by));
        if (snapshot === undefined) return;
        expect(numbersFinite(snapshot)).toBe(true);
        expect(Array.isArray(snapshot.links) && Array.isArray(snapshot.objects) && Array.isArray(snapshot.events)).toBe(true);
        for (const object of snapshot.objects) expect(Array.isArray(object.descriptor.tags)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on any JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        readNodeSnapshot(value);
      }),
      { numRuns: 300 },
    );
  });
});
