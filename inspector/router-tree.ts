import type { LinkSnapshot, NodeSnapshot } from "../lib/index.js";

/** A node that publishes a monitor object, by that object's descriptor key. */
export interface PublishedNode {
  readonly key: string;
  readonly snapshot: NodeSnapshot;
}

/** One place in the tree: a publishing node (a router), or a child link whose node publishes nothing (a client). */
export interface TreeEntry {
  /** The node's name, or the link's (its address when the peer has not named itself). */
  readonly name: string;
  /** The publishing node here, if it publishes. */
  readonly node: PublishedNode | undefined;
  /** The link from the parent entry's node to this one, unless this entry is a root. */
  readonly link: LinkSnapshot | undefined;
  /** Publishing children first, then clients, each by name. */
  readonly children: readonly TreeEntry[];
}

/**
 * Builds the tree of routers from what each node publishes: a node is the child of the node that has a
 * link named like it (the child's snapshot `node` matches its parent's link `name`). Nodes nobody links
 * to are roots. Links to nodes that publish nothing become leaves. Every publishing node appears once,
 * even when names repeat or links form a loop.
 */
export function routerTree(nodes: readonly PublishedNode[]): TreeEntry[] {
  const byName = new Map<string, PublishedNode[]>();
  for (const node of nodes) byName.set(node.snapshot.node, [...(byName.get(node.snapshot.node) ?? []), node]);
  const claimed = new Set<string>();
  for (const node of nodes) {
    for (const link of node.snapshot.links) {
      for (const child of byName.get(link.name ?? "") ?? []) if (child !== node) claimed.add(child.key);
    }
  }
  const placed = new Set<string>();
  const entryOf = (node: PublishedNode, link: LinkSnapshot | undefined): TreeEntry => {
    placed.add(node.key);
    const routers: TreeEntry[] = [];
    const clients: TreeEntry[] = [];
    for (const childLink of node.snapshot.links) {
      const child = (byName.get(childLink.name ?? "") ?? []).find((candidate) => !placed.has(candidate.key));
      if (child !== undefined) routers.push(entryOf(child, childLink));
      else if (!byName.has(childLink.name ?? "")) clients.push({ name: childLink.name ?? childLink.address, node: undefined, link: childLink, children: [] });
    }
    return { name: node.snapshot.node, node, link, children: [...sortedEntries(routers), ...sortedEntries(clients)] };
  };
  const roots: TreeEntry[] = [];
  for (const node of sortedByName(nodes.filter((candidate) => !claimed.has(candidate.key)))) roots.push(entryOf(node, undefined));
  for (const node of sortedByName(nodes)) if (!placed.has(node.key)) roots.push(entryOf(node, undefined));
  return roots;
}

function sortedByName(nodes: readonly PublishedNode[]): PublishedNode[] {
  return [...nodes].sort((a, b) => compareText(a.snapshot.node, b.snapshot.node) || compareText(a.key, b.key));
}

function sortedEntries(entries: readonly TreeEntry[]): TreeEntry[] {
  return [...entries].sort((a, b) => compareText(a.name, b.name));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
