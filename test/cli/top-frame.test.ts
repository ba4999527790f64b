import { describe, expect, it } from "vitest";
import { renderTopFrame, sortLinks, TOP_OBJECTS, type TopFrameOptions } from "../../lib/cli/top-frame.js";
import type { LinkSnapshot, NodeSnapshot, ObjectSnapshot } from "../../lib/monitor/node-snapshot.js";

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

function link(id: number, name: string | null, figures: { rtt?: number | null; inBytes?: number; outBytes?: number; queued?: number } = {}): LinkSnapshot {
  return {
    id,
    name,
    since: NOW - 60_000,
    roundTripMs: figures.rtt === undefined ? 1 : figures.rtt,
    in: { messagesPerSecond: 2, bytesPerSecond: figures.inBytes ?? 0 },
    out: { messagesPerSecond: 3, bytesPerSecond: figures.outBytes ?? 0 },
    queuedBytes: figures.queued ?? 0,
    principal: name === null ? null : `user-${name}`,
    address: `ws://127.0.0.1:${50_000 + id}`,
    observed: id * 10,
    exposed: id,
  };
}

function object(id: number, updatesPerSecond: number, exposer: ObjectSnapshot["exposer"]): ObjectSnapshot {
  return {
    descriptor: { tags: ["sensors"], json: { id } },
    exposer,
    version: [1_700_000_000_000 + id, 2],
    epoch: 1,
    synchronized: id !== 2,
    observers: 4,
    exposers: 1,
    updatesPerSecond,
    stateBytes: 2048,
    diffBytes: null,
  };
}

function snapshot(node: string, parts: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return {
    node,
    instance: `${node}-instance-0123456789`,
    at: NOW - 500,
    startedAt: NOW - 3_725_000,
    intervalMs: 1000,
    upstream: null,
    links: [],
    objects: [],
    totals: {
      links: parts.links?.length ?? 0,
      objects: parts.objects?.length ?? 0,
      tags: 1,
      contracts: 2,
      queuedBytes: 0,
      updates: 77,
      elections: 5,
      handovers: 1,
      refusals: 3,
      denials: 4,
      messagesIn: 0,
      messagesOut: 0,
      bytesIn: 0,
      bytesOut: 0,
    },
    events: [],
    ...parts,
  };
}

const options: TopFrameOptions = { url: "ws://127.0.0.1:3001", tag: '"hakuban-monitor"', sort: "name", now: NOW };

/** The link names in the order a frame lists them under `node`'s LINK heading. */
function linkNamesInFrame(frame: string): string[] {
  const lines = frame.split("\n");
  const heading = lines.findIndex((line) => line.trimStart().startsWith("LINK"));
  const names: string[] = [];
  for (const line of lines.slice(heading + 1)) {
    const match = /^\s+#\d+\s+(\S+)/.exec(line);
    if (match === null) break;
    names.push(match[1]!);
  }
  return names;
}

describe("hakuban top's frame", () => {
  it("shows each node (by name) with its totals, upstream, links and busiest objects", () => {
    const edge = snapshot("edge", {
      instance: "zz-edge-instance",
      upstream: {
        id: 1,
        name: "root",
        since: NOW - 10_000,
        roundTripMs: 2.25,
        in: { messagesPerSecond: 5, bytesPerSecond: 3 * 1024 * 1024 },
        out: { messagesPerSecond: 1.5, bytesPerSecond: 100 },
        queuedBytes: 0,
        url: "ws://root:3001",
        status: "connected",
        lastError: null,
      },
      links: [link(2, "kitchen", { rtt: 12.6, inBytes: 1536, queued: 5000 })],
      objects: [object(1, 12.5, { kind: "link", link: 2, name: "kitchen" }), object(2, 0, { kind: "upstream" })],
    });
    const root = snapshot("root", { objects: [object(3, 0, { kind: "contract" }), object(4, 0, null)] });
    const frame = renderTopFrame([root, edge], options);
    const lines = frame.split("\n");

    expect(lines[0]).toBe('hakuban top  ws://127.0.0.1:3001  tag "hakuban-monitor"  2 nodes  links by name  03:04:05');
    expect(frame.indexOf("edge [zz-edge-]")).toBeLessThan(frame.indexOf("root [root-ins]"));
    expect(frame).toMatch(/^edge \[zz-edge-\]  up 1h02m  links 1  objects 2  tags 1  contracts 2  queued 0B  updates 77  elections 5  handovers 1  refusals 3  denials 4$/m);
    expect(frame).toContain('  upstream: ws://root:3001 connected to "root"  rtt 2.3ms  in 5 msg/s 3.0MiB/s  out 1.5 msg/s 100B/s  queued 0B');
    expect(frame).toMatch(/^ {2}LINK +NAME +PRINCIPAL +ADDRESS +RTT +MSG\/S IN +IN\/S +MSG\/S OUT +OUT\/S +QUEUED +OBSERVED +EXPOSED$/m);
    expect(frame).toMatch(/^ {4}#2 +kitchen +user-kitchen +ws:\/\/127\.0\.0\.1:50002 +13ms +2 +1\.5KiB +3 +0B +4\.9KiB +20 +2$/m);
    expect(frame).toMatch(/^ {2}OBJECT +EXPOSER +UPDATES\/S +OBSERVERS +VERSION +SIZE +SYNC$/m);
    expect(frame).toMatch(/^ {2}\["sensors"\] \{"id":1\} +#2 kitchen +12\.5 +4 +\[1700000000001,2\] +2\.0KiB +yes$/m);
    expect(frame).toMatch(/^ {2}\["sensors"\] \{"id":2\} +upstream +0 +4 +\[1700000000002,2\] +2\.0KiB +no$/m);
    expect(frame).toMatch(/^ {2}\["sensors"\] \{"id":3\} +local +0/m);
    expect(frame).toMatch(/^ {2}\["sensors"\] \{"id":4\} +- +0/m);
    expect(frame).toContain("  upstream: none (a root)");
    expect(frame).toContain("  no child links");
    expect(frame).not.toContain("STALE");
  });

  it("says why a disconnected upstream is, and marks a snapshot that stopped coming as stale", () => {
    const lost = snapshot("lost", {
      at: NOW - 7_000,
      upstream: {
        id: 1,
        name: null,
        since: NOW,
        roundTripMs: null,
        in: { messagesPerSecond: 0, bytesPerSecond: 0 },
        out: { messagesPerSecond: 0, bytesPerSecond: 0 },
        queuedBytes: 0,
        url: "ws://root:3001",
        status: "disconnected",
        lastError: "connect ECONNREFUSED",
      },
    });
    const frame = renderTopFrame([lost], options);
    expect(frame).toContain("  upstream: ws://root:3001 disconnected  rtt -  in 0 msg/s 0B/s  out 0 msg/s 0B/s  queued 0B  (connect ECONNREFUSED)");
    expect(frame).toMatch(/^lost .*denials 4  STALE \(7s old\)$/m);
    // A failure the upstream has recovered from is not shown.
    const upstream = { ...lost.upstream!, status: "connected" as const };
    expect(renderTopFrame([{ ...lost, upstream }], options)).toMatch(/upstream: ws:\/\/root:3001 connected  rtt .*queued 0B$/m);
    // Three intervals are not stale yet.
    expect(renderTopFrame([snapshot("fresh", { at: NOW - 3_000 })], options)).not.toContain("STALE");
  });

  it("orders links by the --sort figure, largest first, unmeasured round trips last, names alphabetically, ties by id", () => {
    const links = [
      link(1, "b", { rtt: 5, inBytes: 10, outBytes: 300, queued: 0 }),
      link(3, "a", { rtt: 9, inBytes: 20, outBytes: 200, queued: 7 }),
      link(2, null, { rtt: null, inBytes: 30, outBytes: 100, queued: 7 }),
      link(4, "c", { rtt: 0.5, inBytes: 30, outBytes: 0, queued: 1 }),
    ];
    const ids = (sort: TopFrameOptions["sort"]): number[] => sortLinks(links, sort).map((each) => each.id);
    expect(ids("name")).toEqual([3, 1, 4, 2]);
    expect(ids("rtt")).toEqual([3, 1, 4, 2]);
    expect(ids("in")).toEqual([2, 4, 3, 1]);
    expect(ids("out")).toEqual([1, 3, 2, 4]);
    expect(ids("queued")).toEqual([2, 3, 4, 1]);
    const frame = renderTopFrame([snapshot("root", { links })], { ...options, sort: "out" });
    expect(linkNamesInFrame(frame)).toEqual(["b", "a", "-", "c"]);
    expect(frame.split("\n")[0]).toContain("links by out");
  });

  it(`shows the ${TOP_OBJECTS} busiest objects, saying how many there are`, () => {
    const objects = Array.from({ length: 8 }, (_, i) => object(i + 1, 8 - i, { kind: "contract" }));
    const frame = renderTopFrame([snapshot("root", { objects, totals: { ...snapshot("x").totals, objects: 120 } })], options);
    expect(frame).toMatch(/^ {2}OBJECT .*SYNC {2}\(busiest 5 of 120\)$/m);
    expect(frame).toContain('{"id":5}');
    expect(frame).not.toContain('{"id":6}');
  });

  it("cuts lines to the terminal's width, and says what to do when no monitor object came", () => {
    const frame = renderTopFrame([snapshot("a-node-with-a-long-name", { links: [link(1, "x")] })], { ...options, width: 40 });
    for (const line of frame.trimEnd().split("\n")) expect(line.length).toBeLessThanOrEqual(40);
    expect(frame).toMatch(/^a-node-with-a-long-name .{15}…$/m);
    const empty = renderTopFrame([], options);
    const root = renderTopFrame([snapshot("root")], { ...options, width: 24 });
    expect(root).toContain("\n  upstream: none (a roo…\n");
    expect(renderTopFrame([snapshot("root")], { ...options, width: 25 })).toContain("\n  upstream: none (a root)\n");
    expect(empty).toContain("0 nodes");
    expect(empty).toContain('No monitor objects yet: is a router started with --monitor-tag "hakuban-monitor"');
  });
});
