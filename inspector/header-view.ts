import type { UpstreamStatus } from "../lib/index.js";
import { h, replaceChildren } from "./element.js";
import { formatTime } from "./format.js";
import type { PublishedNode } from "./router-tree.js";

/** The page's header: its name, a node selector when several nodes publish, and the link's status. */
export class HeaderView {
  private readonly selector = h("select", { class: "node-selector", "aria-label": "Node", hidden: true });
  private readonly status = h("span", { class: "status", role: "status" });
  private readonly detail = h("span", { class: "status-detail" });
  private shownNodes = "";
  readonly element = h(
    "header",
    { class: "bar" },
    h("div", { class: "brand" }, "hakuban", h("span", { class: "brand-sub" }, "inspector")),
    this.selector,
    h("div", { class: "status-area" }, this.status, this.detail),
  );

  constructor(select: (key: string) => void) {
    this.selector.addEventListener("change", () => select(this.selector.value));
  }

  /**
   * Shows the link's status ("starting" while the page reads its configuration, "idle" when it does
   * not link: monitoring is off, or a token is wanted) and why it failed, if it did.
   */
  showStatus(status: UpstreamStatus | "starting" | "idle", url: string, lastError: string | undefined, updatedAt: number | undefined): void {
    this.status.dataset.status = status;
    replaceChildren(this.status, h("span", { class: `dot status-${status}` }), status === "idle" ? "not linked" : status);
    const parts = [url, updatedAt === undefined ? undefined : `updated ${formatTime(updatedAt)}`];
    this.detail.textContent = parts.filter((part) => part !== undefined && part !== "").join(" · ");
    this.detail.title = status === "connected" || lastError === undefined ? "" : lastError;
    if (status !== "connected" && lastError !== undefined) this.detail.textContent += ` · ${lastError}`;
  }

  /**
   * Offers `nodes` in the selector (hidden unless there are several), `selected` chosen; the options
   * are rebuilt only when they changed, so an open selector stays open.
   */
  showNodes(nodes: readonly PublishedNode[], selected: string | undefined): void {
    const shown = JSON.stringify([selected, nodes.map((node) => [node.key, node.snapshot.node])]);
    if (shown === this.shownNodes) return;
    this.shownNodes = shown;
    this.selector.hidden = nodes.length < 2;
    const names = new Map<string, number>();
    for (const node of nodes) names.set(node.snapshot.node, (names.get(node.snapshot.node) ?? 0) + 1);
    replaceChildren(
      this.selector,
      ...nodes.map((node) => {
        const name = node.snapshot.node;
        const label = (names.get(name) ?? 0) > 1 ? `${name} (${node.snapshot.instance.slice(0, 8)})` : name;
        const option = h("option", { value: node.key }, label);
        option.selected = node.key === selected;
        return option;
      }),
    );
  }
}
