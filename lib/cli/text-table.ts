/** A column of a text table: its heading, and whether its cells line up on the right (numbers do). */
export interface TextColumn {
  readonly heading: string;
  readonly right?: boolean;
}

/**
 * The lines of a plain-text table: the headings, then each row, every column as wide as its widest
 * cell and two spaces from the next, each line after `indent` and without trailing spaces.
 */
export function textTable(columns: readonly TextColumn[], rows: readonly (readonly string[])[], indent = ""): string[] {
  const widths = columns.map((column, index) => Math.max(column.heading.length, ...rows.map((row) => (row[index] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    indent +
    columns
      .map((column, index) => {
        const cell = cells[index] ?? "";
        const width = widths[index] ?? 0;
        return column.right === true ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((column) => column.heading)), ...rows.map(line)];
}
