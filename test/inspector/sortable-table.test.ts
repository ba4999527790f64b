/** The inspector's table order: by any column, either way, ties kept in place; a header click's next order. */
import { describe, expect, it } from "vitest";
import { type Column, nextSortOrder, sortRows } from "../../inspector/sortable-table.js";

interface Row {
  readonly name: string;
  readonly rate: number;
}

const byName: Column<Row> = { key: "name", label: "Name", sortValue: (row) => row.name };
const byRate: Column<Row> = { key: "rate", label: "Rate", numeric: true, sortValue: (row) => row.rate };
const rows: Row[] = [
  { name: "edge-10", rate: 5 },
  { name: "edge-2", rate: 40 },
  { name: "Alpha", rate: 5 },
  { name: "beta", rate: 0.5 },
];

describe("sortRows", () => {
  it("orders numbers by value, either way, ties in their given order", () => {
    expect(sortRows(rows, byRate, false).map((row) => row.name)).toEqual(["beta", "edge-10", "Alpha", "edge-2"]);
    expect(sortRows(rows, byRate, true).map((row) => row.name)).toEqual(["edge-2", "edge-10", "Alpha", "beta"]);
  });

  it("orders text as people do: case aside, numbers inside by value", () => {
    expect(sortRows(rows, byName, false).map((row) => row.name)).toEqual(["Alpha", "beta", "edge-2", "edge-10"]);
    expect(sortRows(rows, byName, true).map((row) => row.name)).toEqual(["edge-10", "edge-2", "beta", "Alpha"]);
  });

  it("leaves the given rows as they were", () => {
    const given = [...rows];
    sortRows(given, byRate, true);
    expect(given).toEqual(rows);
  });
});

describe("nextSortOrder", () => {
  it("turns the sorted column the other way, and sorts a new one numbers largest first, text from A", () => {
    expect(nextSortOrder({ key: "name", descending: false }, "name", false)).toEqual({ key: "name", descending: true });
    expect(nextSortOrder({ key: "name", descending: true }, "name", false)).toEqual({ key: "name", descending: false });
    expect(nextSortOrder({ key: "name", descending: false }, "rate", true)).toEqual({ key: "rate", descending: true });
    expect(nextSortOrder({ key: "rate", descending: true }, "name", false)).toEqual({ key: "name", descending: false });
  });
});
