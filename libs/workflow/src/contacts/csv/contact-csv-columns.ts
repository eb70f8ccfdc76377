import { type ErrorDetail } from '@sealpost/core';
import { type ContactFieldDefinition, fieldValueFromText } from '../contact-field-type';
import { type ContactChange, readContactInput } from '../contact-input';

type StandardAttribute =
  'email' | 'name' | 'timeZone' | 'consent' | 'unsubscribed' | 'ehrPatientRef';

/** Spellings a header may use for each standard attribute, compared without case or `_-`. */
const STANDARD_HEADERS: Record<string, StandardAttribute> = {
  email: 'email',
  emailaddress: 'email',
  name: 'name',
  timezone: 'timeZone',
  tz: 'timeZone',
  consent: 'consent',
  unsubscribed: 'unsubscribed',
  ehrpatientref: 'ehrPatientRef',
  patientref: 'ehrPatientRef',
};

export type CsvColumn =
  | { header: string; attribute: StandardAttribute }
  | { header: string; field: ContactFieldDefinition };

export type CsvHeaderResult =
  { ok: true; columns: CsvColumn[] } | { ok: false; problems: ErrorDetail[] };

/**
 * Maps a header line to contact attributes and declared custom fields. A column that maps to
 * nothing refuses the whole file: importing the rows without it would drop its data silently.
 */
export function readCsvHeader(
  cells: readonly string[],
  catalog: readonly ContactFieldDefinition[],
): CsvHeaderResult {
  const problems: ErrorDetail[] = [];
  const columns: CsvColumn[] = [];
  const seen = new Set<string>();
  const fields = new Map(catalog.map((field) => [field.key.toLowerCase(), field]));
  if (cells.some((cell) => cell.includes('@'))) {
    // A data line where the header should be: echoing its cells would show a patient's
    // address, name or dates in the error.
    return {
      ok: false,
      problems: [{ path: 'columns', message: 'the first line must be a header, not a contact' }],
    };
  }

  cells.forEach((cell, index) => {
    const header = cell.trim();
    const path = `columns[${index}]`;
    const standard = STANDARD_HEADERS[header.toLowerCase().replace(/[\s_-]/g, '')];
    const field = fields.get(header.toLowerCase());
    const target = standard ?? (field ? `fields.${field.key}` : undefined);
    if (!target) {
      problems.push({
        path,
        message: `"${header}" is neither a contact attribute nor a declared contact field`,
      });
      return;
    }
    if (seen.has(target)) {
      problems.push({ path, message: `"${header}" repeats an earlier column` });
      return;
    }
    seen.add(target);
    columns.push(standard ? { header, attribute: standard } : { header, field: field! });
  });

  if (!seen.has('email')) {
    problems.push({ path: 'columns', message: 'an email column is required' });
  }
  return problems.length ? { ok: false, problems } : { ok: true, columns };
}

export type CsvRowResult = { ok: true; change: ContactChange } | { ok: false; reasons: string[] };

/**
 * Reads one data line. An empty cell leaves the attribute as it is. Reasons name the column
 * and the rule, never the cell's content.
 */
export function readCsvRow(
  cells: readonly string[],
  columns: readonly CsvColumn[],
  catalog: readonly ContactFieldDefinition[],
): CsvRowResult {
  if (cells.length !== columns.length) {
    return {
      ok: false,
      reasons: [`has ${cells.length} values where the header has ${columns.length} columns`],
    };
  }
  const reasons: string[] = [];
  const raw: Record<string, unknown> = {};
  const fields: Record<string, unknown> = {};
  const headerOfPath = new Map<string, string>();

  columns.forEach((column, index) => {
    const text = cells[index].trim();
    if (text === '') {
      return;
    }
    if ('field' in column) {
      headerOfPath.set(`fields.${column.field.key}`, column.header);
      const read = fieldValueFromText(column.field.type, text);
      if ('problem' in read) {
        reasons.push(`${column.header}: ${read.problem}`);
      } else {
        fields[column.field.key] = read.value;
      }
      return;
    }
    headerOfPath.set(column.attribute, column.header);
    if (column.attribute === 'unsubscribed') {
      const read = fieldValueFromText('boolean', text);
      if ('problem' in read) {
        reasons.push(`${column.header}: ${read.problem}`);
      } else {
        raw.unsubscribed = read.value;
      }
      return;
    }
    raw[column.attribute] = text;
  });

  if (Object.keys(fields).length) {
    raw.fields = fields;
  }
  const result = readContactInput(raw, catalog, { emailRequired: true });
  if (!result.ok) {
    for (const problem of result.problems) {
      const header = headerOfPath.get(problem.path) ?? problem.path;
      reasons.push(`${header}: ${problem.message}`);
    }
  }
  if (reasons.length || !result.ok) {
    return { ok: false, reasons };
  }
  return { ok: true, change: result.change };
}
