/** The types a custom contact field can declare; values are checked against them on write. */
export const CONTACT_FIELD_TYPES = ['string', 'number', 'boolean', 'date', 'datetime'] as const;
export type ContactFieldType = (typeof CONTACT_FIELD_TYPES)[number];

export interface ContactFieldDefinition {
  key: string;
  type: ContactFieldType;
}

export function isContactFieldType(value: unknown): value is ContactFieldType {
  return (CONTACT_FIELD_TYPES as readonly unknown[]).includes(value);
}

// Keys are used as template variables (`contact.fields.plan`) and filter paths, so they
// stay identifier-like.
export const FIELD_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Long enough for any free-text note a journey would merge into an email. */
export const MAX_STRING_FIELD_LENGTH = 2000;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 with an explicit offset: a bare local time would be read in whatever zone the
// server runs in, which is exactly the ambiguity typed datetimes exist to remove.
const DATETIME = new RegExp(
  '^(\\d{4}-\\d{2}-\\d{2})T([01]\\d|2[0-3]):([0-5]\\d)(:([0-5]\\d)(\\.\\d{1,6})?)?' +
    '(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)$',
);

export function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) {
    return false;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    year >= 1 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  );
}

export function isOffsetDateTime(text: string): boolean {
  const match = DATETIME.exec(text);
  return match !== null && isCalendarDate(match[1]) && !Number.isNaN(Date.parse(text));
}

/** Why `value` is not a valid `type` value (a phrase without the value), or null when it is. */
export function fieldValueProblem(type: ContactFieldType, value: unknown): string | null {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') {
        return 'must be a string';
      }
      return value.length > MAX_STRING_FIELD_LENGTH
        ? `must be at most ${MAX_STRING_FIELD_LENGTH} characters`
        : null;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'date':
      return typeof value === 'string' && isCalendarDate(value)
        ? null
        : 'must be a date as YYYY-MM-DD';
    case 'datetime':
      return typeof value === 'string' && isOffsetDateTime(value)
        ? null
        : 'must be an ISO 8601 date-time with an offset, such as 2026-03-01T09:30:00Z';
  }
}

const TRUE_WORDS = new Set(['true', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'no', '0']);

/** Reads a CSV cell as a typed value; a number cell must be a plain decimal. */
export function fieldValueFromText(
  type: ContactFieldType,
  text: string,
): { value: unknown } | { problem: string } {
  let value: unknown = text;
  if (type === 'number') {
    value = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
  } else if (type === 'boolean') {
    const word = text.toLowerCase();
    if (!TRUE_WORDS.has(word) && !FALSE_WORDS.has(word)) {
      return { problem: 'must be true, false, yes, no, 1 or 0' };
    }
    value = TRUE_WORDS.has(word);
  }
  const problem = fieldValueProblem(type, value);
  return problem ? { problem } : { value };
}
