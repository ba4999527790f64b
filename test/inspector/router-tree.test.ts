/** The inspector's tree of routers, built from what each node publishes about its links. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type PublishedNode, routerTree, type TreeEntry } from "../../inspector/router-tree.js";
import type { LinkSnapshot, NodeSnapshot } from "../../lib/monitor/node-snapshot.js";

function link(name: string | null, id = 1): LinkSnapshot {
  const rate = { messagesPerSecond: 0, bytesPerSecond: 0 };
  return { id, name, since: 0, roundTripMs: null, in: rate, out: rate, queuedBytes: 0, principal: null, address: `ws://127.0.0.1:${40000 + id}`, observed: 0, exposed: 0 };
}

function published(name: string, links: readonly (string | null)[], key = name): PublishedNode {
  const totals = { links: 0, objects: 0, tags: 0, contracts: 0, queuedBytes: 0, updates: 0, elections: 0, handovers: 0, refusals: 0, denials: 0, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  const snapshot: NodeSnapshot = {
    node: name,
    instance: `${key}-instance`,
    at: 0,
    startedAt: 0,
    intervalMs: 1000,
    upstream: null,
    links: links.map((linked, index) => link(linked, index + 1)),
    objects: [],
    totals,
    events: [],
  };
  return { key, snapshot };
}

/** The tree as nested [name, kind, children] for comparison. */
function shape(entries: readonly TreeEntry[]): unknown[] {
  return entries.map((entry) => [entry.name, entry.node === undefined ? "client" : "node", shape(entry.children)]);
}

function publishedKeys(entries: readonly TreeEntry[]): string[] {
  return entries.flatMap((entry) => [...(entry.node === undefined ? [] : [entry.node.key]), ...publishedKeys(entry.children)]);
}

describe("routerTree", () => {
  it("puts each node under the node with a link of its name, routers before clients, by name", () => {
    const nodes = [
      published("leaf-router", ["sensor"]),
      published("edge", ["zeta", "leaf-router", "alpha"]),
      published("root", ["inspector", "edge", "dashboard"]),
    ];
    expect(shape(routerTree(nodes))).toEqual([
      [
        "root",
        "node",
        [
          ["edge", "node", [["leaf-router", "node", [["sensor", "client", []]]], ["alpha", "client", []], ["zeta", "client", []]]],
          ["dashboard", "client", []],
          ["inspector", "client", []],
        ],
      ],
    ]);
  });

  it("names a link whose peer has not named itself by its address, and keeps the link on the entry", () => {
    const [root] = routerTree([published("root", [null])]);
    expect(root!.children.map((child) => [child.name, child.link?.id])).toEqual([["ws://127.0.0.1:40001", 1]]);
    expect(root!.link).toBeUndefined();
  });

  it("makes every node nobody links to a root", () => {
    expect(shape(routerTree([published("b", []), published("a", [])]))).toEqual([
      ["a", "node", []],
      ["b", "node", []],
    ]);
  });

  it("shows every publishing node exactly once, whatever the links (loops, repeated names, self links)", () => {
    const names = ["a", "b", "c", "d"];
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.constantFrom(...names), links: fc.array(fc.constantFrom(...names, "client"), { maxLength: 5 }) }), { maxLength: 8 }),
        (specs) => {
          const nodes = specs.map((spec, index) => published(spec.name, spec.links, `key-${index}`));
          const keys = publishedKeys(routerTree(nodes));
          expect(keys.sort()).toEqual(nodes.map((node) => node.key).sort());
        },
      ),
      { numRuns: 300 },
    );
  });
});
