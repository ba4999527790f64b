import type { ObjectSnapshot } from "../lib/index.js";
import { h } from "./element.js";
import { formatBytes, formatDescriptor, formatExposer, formatNumber, formatVersion } from "./format.js";
import { type Column, SortableTable } from "./sortable-table.js";

/** Whether `object` matches the filter text: a case-insensitive part of its descriptor (its JSON or a tag). */
export function matchesFilter(object: ObjectSnapshot, filter: string): boolean {
  const wanted = filter.trim().toLowerCase();
  return wanted === "" || formatDescriptor(object.descriptor).toLowerCase().includes(wanted);
}

/** The descriptor, cut short to fit when long, whole in its tooltip. */
const descriptorCell = (text: string): HTMLElement => h("code", { title: text }, text);

const optionalBytes = (value: number | null): string => (value === null ? "–" : formatBytes(value));

const COLUMNS: readonly Column<ObjectSnapshot>[] = [
  { key: "descriptor", label: "Descriptor", sortValue: (object) => formatDescriptor(object.descriptor), cell: (object) => descriptorCell(formatDescriptor(object.descriptor)) },
  { key: "exposer", label: "Exposer", sortValue: (object) => formatExposer(object.exposer), cell: (object) => (object.exposer === null ? h("span", { class: "muted" }, "none") : formatExposer(object.exposer)) },
  { key: "version", label: "Version", numeric: true, sortValue: (object) => formatVersion(object.version), cell: (object) => formatVersion(object.version) },
  { key: "synchronized", label: "Synced", title: "Whether an elected exposer backs the data", sortValue: (object) => (object.synchronized ? 1 : 0), cell: (object) => h("span", { class: object.synchronized ? "yes" : "no" }, object.synchronized ? "yes" : "no") },
  { key: "observers", label: "Observers", numeric: true, sortValue: (object) => object.observers, cell: (object) => formatNumber(object.observers) },
  { key: "exposers", label: "Exposers", numeric: true, title: "Candidates to expose it here", sortValue: (object) => object.exposers, cell: (object) => formatNumber(object.exposers) },
  { key: "updates", label: "Updates/s", numeric: true, sortValue: (object) => object.updatesPerSecond, cell: (object) => formatNumber(object.updatesPerSecond) },
  { key: "state", label: "State", numeric: true, title: "Size of the current state as JSON", sortValue: (object) => object.stateBytes ?? -1, cell: (object) => optionalBytes(object.stateBytes) },
  { key: "diff", label: "Last diff", numeric: true, title: "Size of the last diff a link sent", sortValue: (object) => object.diffBytes ?? -1, cell: (object) => optionalBytes(object.diffBytes) },
];

/** The selected node's objects, filtered by descriptor text and sortable by any column. */
export class ObjectsView {
  private readonly table = new SortableTable(COLUMNS, { key: "updates", descending: true }, "No objects.");
  private readonly count = h("span", { class: "count" });
  private readonly filter = h("input", { type: "search", class: "filter", placeholder: "Filter by tag or descriptor", "aria-label": "Filter objects" });
  private objects: readonly ObjectSnapshot[] = [];
  private total = 0;
  readonly element = h("section", { id: "objects" }, h("div", { class: "section-head" }, h("h2", {}, "Objects ", this.count), this.filter), this.table.element);

  constructor() {
    this.filter.addEventListener("input", () => this.render());
  }

  /** Shows `objects`, of `total` objects the node holds. */
  update(objects: readonly ObjectSnapshot[], total: number): void {
    this.objects = objects;
    this.total = total;
    this.render();
  }

  private render(): void {
    const shown = this.objects.filter((object) => matchesFilter(object, this.filter.value));
    this.count.textContent = shown.length === this.total ? String(this.total) : `${shown.length} of ${this.total}`;
    this.table.update(shown);
  }
}
