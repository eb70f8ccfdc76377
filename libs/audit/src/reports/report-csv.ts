import { type ReportTable } from './report-table';

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell per RFC 4180, with a leading quote mark on text a spreadsheet would evaluate. */
export function csvCell(value: string | number): string {
  if (typeof value === 'number') {
    return String(value);
  }
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export function csvLine(cells: readonly (string | number)[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

/** A section: its title on a line of its own, the column header, the rows, a blank line. */
export function* csvSection(table: ReportTable): Generator<string> {
  yield csvLine([table.title]);
  yield csvLine(table.columns);
  for (const row of table.rows) {
    yield csvLine(row);
  }
  yield '\r\n';
}
