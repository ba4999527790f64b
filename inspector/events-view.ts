import type { MonitorEvent } from "../lib/index.js";
import { h, replaceChildren } from "./element.js";
import { formatTime } from "./format.js";

/** The most events shown. */
const MAX_EVENTS = 200;

/** The selected node's recent events (elections, handovers, links, refusals, denials), newest first. */
export class EventsView {
  private readonly list = h("ol", { class: "events" });
  private readonly count = h("span", { class: "count" });
  readonly element = h("section", { id: "events" }, h("h2", {}, "Events ", this.count), this.list);

  /** Shows `events` (oldest first, as snapshots carry them). */
  update(events: readonly MonitorEvent[]): void {
    const newest = events.slice(-MAX_EVENTS).reverse();
    this.count.textContent = String(events.length);
    replaceChildren(
      this.list,
      ...(newest.length === 0
        ? [h("li", { class: "empty" }, "No events yet.")]
        : newest.map((event) =>
            h(
              "li",
              { "data-kind": event.kind },
              h("time", { datetime: new Date(event.at).toISOString() }, formatTime(event.at)),
              h("span", { class: `kind kind-${event.kind}` }, event.kind),
              h("span", { class: "event-text" }, event.text),
            ),
          )),
    );
  }
}
