import { h, replaceChildren } from "./element.js";
import type { PublishedNode, TreeEntry } from "./router-tree.js";

/** Clients listed by name under one node; the rest are counted. */
const CLIENTS_LISTED = 6;

/** The tree of routers: each publishing node with its child routers, and its clients; a click selects a node. */
export class TreeView {
  private readonly root = h("ul", { class: "tree" });
  private shown = "";
  readonly element = h("section", { id: "tree" }, h("h2", {}, "Tree"), this.root);

  constructor(private readonly select: (key: string) => void) {}

  /**
   * Shows `roots`, with the node of `selected` marked. The tree is rebuilt only when what it shows
   * changed, so a click on it is not lost to a refresh between the press and the release.
   */
  update(roots: readonly TreeEntry[], selected: string | undefined): void {
    const shown = JSON.stringify([selected, roots.map(outline)]);
    if (shown === this.shown) return;
    this.shown = shown;
    replaceChildren(this.root, ...roots.map((entry) => this.item(entry, selected)));
  }

  private item(entry: TreeEntry, selected: string | undefined): HTMLElement {
    const routers = entry.children.filter((child) => child.node !== undefined);
    const clients = entry.children.filter((child) => child.node === undefined);
    const listed = clients.slice(0, CLIENTS_LISTED);
    const label = entry.node === undefined ? h("span", { class: "tree-client" }, entry.name) : this.nodeButton(entry.node, entry.node.key === selected);
    return h(
      "li",
      {},
      label,
      entry.children.length === 0
        ? null
        : h(
            "ul",
            {},
            ...routers.map((child) => this.item(child, selected)),
            ...listed.map((child) => this.item(child, selected)),
            clients.length > listed.length ? h("li", { class: "tree-more" }, `+ ${clients.length - listed.length} more clients`) : null,
          ),
    );
  }

  private nodeButton(node: PublishedNode, selected: boolean): HTMLElement {
    const upstream = node.snapshot.upstream;
    const detail = nodeDetail(node);
    return h(
      "button",
      {
        type: "button",
        class: selected ? "tree-node selected" : "tree-node",
        "aria-pressed": selected ? "true" : "false",
        "data-node": node.snapshot.node,
        "data-instance": node.snapshot.instance,
        title: upstream === null ? "root" : `upstream ${upstream.status}: ${upstream.url}`,
        onclick: () => this.select(node.key),
      },
      h("span", { class: `dot status-${upstream === null ? "connected" : upstream.status}` }),
      h("span", { class: "tree-name" }, node.snapshot.node),
      h("span", { class: "tree-detail" }, detail),
    );
  }
}

function nodeDetail(node: PublishedNode): string {
  return `${node.snapshot.links.length} links · ${node.snapshot.totals.objects} objects`;
}

/** What the tree shows of an entry, to tell whether it changed. */
function outline(entry: TreeEntry): unknown {
  const node = entry.node;
  const place = node === undefined ? [] : [node.key, node.snapshot.instance, nodeDetail(node), node.snapshot.upstream?.status];
  return [entry.name, place, entry.children.map(outline)];
}
