/** A reason for a record the CSV parser could not read; codes only, never the raw text. */
export function csvSyntaxReason(code: string, firstLine: number, errorLine: number): string {
  const span = errorLine > firstLine ? ` (lines ${firstLine} to ${errorLine} were not read)` : '';
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `malformed CSV: a quote is never closed${span}`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `malformed CSV: text follows a closing quote${span}`;
    case 'CSV_MAX_RECORD_SIZE':
      return `malformed CSV: the record is too long${span}`;
    default:
      return `malformed CSV (${code})${span}`;
  }
}
