import { type ContactFieldDefinition, type ContactFieldType } from '../contacts/contact-field-type';

/** A filterable field: a standard column (a fixed SQL expression) or a custom field key. */
export type FilterField =
  | { kind: 'column'; type: ContactFieldType; sql: string; email?: boolean }
  | { kind: 'custom'; type: ContactFieldType; key: string };

// The only SQL text a filter can reach; each entry is a literal written here, never input.
const STANDARD_FIELDS: Record<string, FilterField> = {
  email: { kind: 'column', type: 'string', sql: 'c.email_normalised', email: true },
  name: { kind: 'column', type: 'string', sql: 'c.name' },
  timeZone: { kind: 'column', type: 'string', sql: 'c.time_zone' },
  consent: { kind: 'column', type: 'string', sql: 'c.consent' },
  ehrPatientRef: { kind: 'column', type: 'string', sql: 'c.ehr_patient_ref' },
  createdAt: { kind: 'column', type: 'datetime', sql: 'c.created_at' },
  updatedAt: { kind: 'column', type: 'datetime', sql: 'c.updated_at' },
  unsubscribedAt: { kind: 'column', type: 'datetime', sql: 'c.unsubscribed_at' },
};

export const STANDARD_FIELD_NAMES = Object.keys(STANDARD_FIELDS);

export function resolveFilterField(
  name: string,
  catalog: readonly ContactFieldDefinition[],
): FilterField | null {
  if (Object.hasOwn(STANDARD_FIELDS, name)) {
    return STANDARD_FIELDS[name];
  }
  if (!name.startsWith('fields.')) {
    return null;
  }
  const key = name.slice('fields.'.length);
  const field = catalog.find((definition) => definition.key === key);
  return field ? { kind: 'custom', type: field.type, key } : null;
}

/** Which operators make sense for each type. */
export const OPERATORS_BY_TYPE: Record<ContactFieldType, readonly string[]> = {
  string: ['eq', 'neq', 'contains', 'exists'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'exists'],
  boolean: ['eq', 'neq', 'exists'],
  date: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'before', 'after', 'within_days', 'exists'],
  datetime: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'before', 'after', 'within_days', 'exists'],
};
