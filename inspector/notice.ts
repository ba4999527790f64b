import { type Child, h } from "./element.js";

/** A message in place of the views: why there is nothing to show, and what to do about it. */
export function notice(title: string, ...body: readonly Child[]): HTMLElement {
  return h("div", { class: "notice", role: "note" }, h("h2", {}, title), h("p", {}, ...body));
}
