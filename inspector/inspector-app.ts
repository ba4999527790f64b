import type { InspectorConfig } from "../lib/router/inspector-config.js";
import { type Child, h, replaceChildren } from "./element.js";
import { EventsView } from "./events-view.js";
import { HeaderView } from "./header-view.js";
import { fetchInspectorConfig, routerUrl } from "./inspector-config.js";
import { LinksView } from "./links-view.js";
import { MonitorSession, type SessionView } from "./monitor-session.js";
import { notice } from "./notice.js";
import { ObjectsView } from "./objects-view.js";
import { OverviewView } from "./overview-view.js";
import { type PublishedNode, routerTree, type TreeEntry } from "./router-tree.js";
import { readToken, saveToken } from "./token-store.js";
import { TokenForm } from "./token-form.js";
import { TreeView } from "./tree-view.js";

/** The publishing nodes in the order of the tree (parents before children). */
function treeOrder(roots: readonly TreeEntry[]): PublishedNode[] {
  const nodes: PublishedNode[] = [];
  const walk = (entry: TreeEntry) => {
    if (entry.node !== undefined) nodes.push(entry.node);
    entry.children.forEach(walk);
  };
  roots.forEach(walk);
  return nodes;
}

/**
 * The inspector page: reads its configuration from the router that served it, links to that router as
 * a hakuban node, observes the monitor tag, and shows the selected node's snapshot live. A node is
 * selected by key and remembered by name too, so after its restart (a new instance) it stays selected.
 */
export class InspectorApp {
  private readonly header = new HeaderView((key) => this.select(key));
  private readonly tree = new TreeView((key) => this.select(key));
  private readonly overview = new OverviewView();
  private readonly links = new LinksView();
  private readonly objects = new ObjectsView();
  private readonly events = new EventsView();
  private readonly content = h("div", { class: "content" });
  private readonly sidebar = h("aside", { class: "sidebar" }, this.tree.element);
  private readonly details = h("div", { class: "details" }, this.overview.element, this.links.element, this.objects.element, this.events.element);
  private readonly tokenForm = new TokenForm((token) => {
    saveToken(token);
    void this.startSession(token);
  });
  private config: InspectorConfig | undefined;
  private session: MonitorSession | undefined;
  private selectedKey: string | undefined;
  private selectedName: string | undefined;
  private renderPending = false;

  constructor(root: HTMLElement) {
    replaceChildren(root, this.header.element, this.content);
    this.header.showStatus("starting", "", undefined, undefined);
  }

  /** Reads the configuration and links to the router; anything that stops the page is shown in it. */
  async start(): Promise<void> {
    try {
      this.config = await fetchInspectorConfig();
    } catch (error) {
      this.header.showStatus("idle", "", undefined, undefined);
      this.show(notice("The inspector has no configuration", error instanceof Error ? error.message : String(error)));
      return;
    }
    if (this.config.monitorTag === null) {
      this.header.showStatus("idle", "", undefined, undefined);
      this.show(
        notice(
          "Monitoring is off on this router",
          "Nodes publish what they see only under a monitor tag. Start the router with one, e.g. ",
          h("code", {}, "hakuban-router --monitor-tag monitor"),
          ", or pass ",
          h("code", {}, "monitorTag"),
          " to listen(), then reload this page.",
        ),
      );
      return;
    }
    const token = readToken();
    if (this.config.authenticate && token === undefined) this.askForToken(undefined);
    else await this.startSession(token);
  }

  private async startSession(token: string | undefined): Promise<void> {
    const config = this.config;
    if (config === undefined || config.monitorTag === null) return;
    await this.session?.close();
    try {
      this.session = new MonitorSession(routerUrl(config, location), config.monitorTag, token, () => this.scheduleRender());
    } catch (error) {
      this.show(notice("The inspector cannot observe the monitor tag", error instanceof Error ? error.message : String(error)));
      return;
    }
    this.render();
  }

  private askForToken(reason: string | undefined): void {
    if (this.session === undefined) this.header.showStatus("idle", "", undefined, undefined);
    this.tokenForm.showReason(reason);
    this.show(this.tokenForm.element);
  }

  private select(key: string): void {
    this.selectedKey = key;
    this.selectedName = this.session?.view().nodes.find((node) => node.key === key)?.snapshot.node;
    this.render();
  }

  private scheduleRender(): void {
    if (this.renderPending) return;
    this.renderPending = true;
    requestAnimationFrame(() => {
      this.renderPending = false;
      this.render();
    });
  }

  private render(): void {
    const session = this.session;
    if (session === undefined) return;
    const view = session.view();
    const roots = routerTree(view.nodes);
    const nodes = treeOrder(roots);
    const selected = this.resolveSelection(nodes);
    this.header.showStatus(view.status, view.url, view.lastError, selected?.snapshot.at);
    this.header.showNodes(nodes, selected?.key);
    if (view.status === "closed" && this.config?.authenticate === true) {
      this.askForToken(view.lastError);
      return;
    }
    if (view.denial !== undefined) {
      this.show(notice("The router's policy denies observing the monitor tag", view.denial));
      return;
    }
    // While the link is down, the last snapshots stay in view, dimmed, until the router is back.
    const linked = view.status === "connected";
    this.content.classList.toggle("stale", !linked);
    if (selected === undefined) {
      if (linked || !this.content.contains(this.details)) this.show(this.waiting(view));
      return;
    }
    this.tree.update(roots, selected.key);
    this.overview.update(selected.snapshot, nodes.length);
    this.links.update(selected.snapshot.links);
    this.objects.update(selected.snapshot.objects, selected.snapshot.totals.objects);
    this.events.update(selected.snapshot.events);
    this.show(this.sidebar, this.details);
  }

  /** The selected node: the one chosen, else one of the same name (restarted), else the tree's first. */
  private resolveSelection(nodes: readonly PublishedNode[]): PublishedNode | undefined {
    const chosen =
      nodes.find((node) => node.key === this.selectedKey) ?? nodes.find((node) => node.snapshot.node === this.selectedName) ?? nodes[0];
    this.selectedKey = chosen?.key;
    this.selectedName ??= chosen?.snapshot.node;
    return chosen;
  }

  private waiting(view: SessionView): HTMLElement {
    const tag = JSON.stringify(this.config?.monitorTag);
    return view.status === "connected"
      ? notice("Waiting for monitor objects", `Linked to the router; no node publishes under the monitor tag ${tag} yet.`)
      : notice("Linking to the router", `${view.url} is ${view.status}. `, view.lastError ?? "");
  }

  /** Puts `children` in the content area, unless they already are there. */
  private show(...children: readonly Child[]): void {
    if (!children.includes(this.details)) this.content.classList.remove("stale");
    const current = [...this.content.childNodes];
    if (current.length === children.length && current.every((node, index) => node === children[index])) return;
    replaceChildren(this.content, ...children);
  }
}
