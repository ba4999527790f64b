import { type Child, h, replaceChildren } from "./element.js";

/** One column of a SortableTable. */
export interface Column<Row> {
  readonly key: string;
  readonly label: string;
  /** Numbers are right-aligned, and sort largest first on the first click. */
  readonly numeric?: boolean;
  /** What the header's tooltip explains. */
  readonly title?: string;
  /** The value the column sorts by. */
  readonly sortValue: (row: Row) => number | string;
  /** What the cell shows (defaults to the sort value). */
  readonly cell?: (row: Row) => Child;
}

/** Which column a table is sorted by, and which way. */
export interface SortOrder {
  readonly key: string;
  readonly descending: boolean;
}

/** The most rows a table shows; a note says how many more there are. */
const MAX_ROWS = 500;

/** Rows ordered by `column` (a new array), ties kept in their given order. */
export function sortRows<Row>(rows: readonly Row[], column: Column<Row>, descending: boolean): Row[] {
  const direction = descending ? -1 : 1;
  return rows
    .map((row) => ({ row, value: column.sortValue(row) }))
    .sort((a, b) => direction * compareValues(a.value, b.value))
    .map((entry) => entry.row);
}

function compareValues(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), "en", { numeric: true });
}

/** The order after a click on `key`'s header: the other way on the sorted column, else its natural way. */
export function nextSortOrder(current: SortOrder, key: string, numeric: boolean): SortOrder {
  return current.key === key ? { key, descending: !current.descending } : { key, descending: numeric };
}

/**
 * A table whose header sorts it: a click on a column's header sorts by it, a second click the other
 * way (`aria-sort` on the header says how it is sorted). `update` replaces the rows and keeps the order.
 */
export class SortableTable<Row> {
  readonly element: HTMLElement;
  private readonly headers = new Map<string, HTMLTableCellElement>();
  private readonly body = h("tbody");
  private readonly note = h("p", { class: "table-note" });
  private rows: readonly Row[] = [];

  constructor(
    private readonly columns: readonly Column<Row>[],
    private order: SortOrder,
    private readonly empty: string,
  ) {
    const headerRow = h("tr");
    for (const column of columns) {
      const header = h(
        "th",
        { class: column.numeric ? "num" : undefined, title: column.title, scope: "col", tabindex: 0 },
        column.label,
      );
      const sort = () => {
        this.order = nextSortOrder(this.order, column.key, column.numeric === true);
        this.render();
      };
      header.addEventListener("click", sort);
      header.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sort();
        }
      });
      this.headers.set(column.key, header);
      headerRow.appendChild(header);
    }
    this.element = h("div", { class: "table-wrap" }, h("table", { class: "sortable" }, h("thead", {}, headerRow), this.body), this.note);
    this.render();
  }

  /** Shows `rows` in the table's current order. */
  update(rows: readonly Row[]): void {
    this.rows = rows;
    this.render();
  }

  private render(): void {
    for (const [key, header] of this.headers) {
      if (key === this.order.key) header.setAttribute("aria-sort", this.order.descending ? "descending" : "ascending");
      else header.removeAttribute("aria-sort");
    }
    const column = this.columns.find((candidate) => candidate.key === this.order.key) ?? this.columns[0];
    const sorted = column === undefined ? [...this.rows] : sortRows(this.rows, column, this.order.descending);
    const shown = sorted.slice(0, MAX_ROWS);
    replaceChildren(
      this.body,
      ...(shown.length === 0
        ? [h("tr", { class: "empty" }, h("td", { colspan: this.columns.length }, this.empty))]
        : shown.map((row) =>
            h("tr", {}, ...this.columns.map((cell) => h("td", { class: cell.numeric ? "num" : undefined }, cell.cell ? cell.cell(row) : cell.sortValue(row)))),
          )),
    );
    this.note.textContent = sorted.length > shown.length ? `Showing ${shown.length} of ${sorted.length}.` : "";
  }
}
