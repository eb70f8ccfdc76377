import { type ContactFieldDefinition, type ContactFieldType } from '../contacts/contact-field-type';
import { type FilterField, resolveFilterField } from './segment-fields';
import {
  type SegmentEngagementCondition,
  type SegmentFieldCondition,
  type SegmentFilter,
} from './segment-filter';

/**
 * Collects statement parameters. Every value of a filter goes through `bind` and reaches SQL
 * as `$n`; the only text a filter adds is written in this file and segment-fields.ts.
 */
export class SqlParameters {
  readonly values: unknown[];

  constructor(initial: unknown[] = []) {
    this.values = [...initial];
  }

  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const CASTS: Record<ContactFieldType, string> = {
  string: 'text',
  number: 'numeric',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamptz',
};

const COMPARISONS: Record<string, string> = {
  eq: '=',
  neq: 'IS DISTINCT FROM',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  before: '<',
  after: '>',
};

/**
 * Compiles a validated filter to a condition over `c` (a row of contacts). `now` gives the
 * placeholder of the evaluation instant (bound on first use: PostgreSQL refuses a parameter
 * no clause reads), so time-relative conditions follow the injected clock.
 * The caller binds the organisation and scopes `c` by it; joined tables are scoped here.
 */
export function compileSegmentFilter(
  filter: SegmentFilter,
  catalog: readonly ContactFieldDefinition[],
  params: SqlParameters,
  now: () => string,
): string {
  const compile = (node: SegmentFilter): string => {
    if ('all' in node) {
      return `(${node.all.map(compile).join(' AND ')})`;
    }
    if ('any' in node) {
      return `(${node.any.map(compile).join(' OR ')})`;
    }
    if ('not' in node) {
      return `(NOT ${compile(node.not)})`;
    }
    if ('list' in node) {
      return `EXISTS (SELECT 1 FROM contact_list_members lm
                       WHERE lm.organisation_id = c.organisation_id AND lm.contact_id = c.id
                         AND lm.list_id = ${params.bind(node.list)}::uuid)`;
    }
    if ('unsubscribed' in node) {
      return node.unsubscribed ? 'c.unsubscribed_at IS NOT NULL' : 'c.unsubscribed_at IS NULL';
    }
    if ('engagement' in node) {
      return compileEngagement(node, params, now);
    }
    return compileField(node, catalog, params, now);
  };
  return compile(filter);
}

function compileEngagement(
  node: SegmentEngagementCondition,
  params: SqlParameters,
  now: () => string,
): string {
  // `metadata ? 'contactId'` lets PostgreSQL use the partial index messages_contact_idx.
  const conditions = [
    'm.organisation_id = c.organisation_id',
    `m.metadata ? 'contactId'`,
    `m.metadata ->> 'contactId' = c.id::text`,
    'e.organisation_id = c.organisation_id',
    `e.type = ${params.bind(node.engagement)}`,
  ];
  if (node.workflowId !== undefined) {
    conditions.push(`m.metadata ->> 'workflowId' = ${params.bind(node.workflowId)}`);
  }
  if (node.withinDays !== undefined) {
    const days = params.bind(node.withinDays);
    conditions.push(`e.created_at >= ${now()}::timestamptz - make_interval(days => ${days}::int)`);
  }
  return `EXISTS (SELECT 1 FROM messages m JOIN message_events e ON e.message_id = m.id
                   WHERE ${conditions.join(' AND ')})`;
}

function compileField(
  node: SegmentFieldCondition,
  catalog: readonly ContactFieldDefinition[],
  params: SqlParameters,
  now: () => string,
): string {
  const field = resolveFilterField(node.field, catalog);
  if (!field) {
    throw new Error('compileSegmentFilter needs a validated filter');
  }

  if (node.op === 'exists') {
    const present = presence(field, params);
    return node.value === false ? `(NOT ${present})` : present;
  }
  const expression = valueExpression(field, params);
  if (node.op === 'contains') {
    const pattern = `%${String(node.value).replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    return `${expression} ILIKE ${params.bind(pattern)}`;
  }
  if (node.op === 'within_days') {
    return withinDays(field, expression, node.value as number, params, now);
  }
  let value = node.value;
  if ('email' in field && field.email && typeof value === 'string') {
    value = value.toLowerCase();
  }
  // Numbers travel as text so numeric keeps every digit a JSON number can carry.
  const placeholder = params.bind(field.type === 'number' ? String(value) : value);
  const bound = `${placeholder}::${CASTS[field.type]}`;
  const comparison = `(${expression} ${COMPARISONS[node.op]} ${bound})`;
  // A contact without the value matches neq (IS DISTINCT FROM) and no other operator, also
  // under `not`: IS TRUE turns SQL's unknown into false.
  return node.op === 'neq' ? comparison : `(${comparison} IS TRUE)`;
}

function presence(field: FilterField, params: SqlParameters): string {
  return field.kind === 'column'
    ? `${field.sql} IS NOT NULL`
    : `c.fields ? ${params.bind(field.key)}::text`;
}

function valueExpression(field: FilterField, params: SqlParameters): string {
  if (field.kind === 'column') {
    return field.sql;
  }
  return `(c.fields ->> ${params.bind(field.key)}::text)::${CASTS[field.type]}`;
}

/** Positive: within the next N days; negative: within the last N days (both from now). */
function withinDays(
  field: FilterField,
  expression: string,
  days: number,
  params: SqlParameters,
  now: () => string,
): string {
  const span = `make_interval(days => ${params.bind(Math.abs(days))}::int)`;
  const [from, to] =
    days > 0
      ? [`${now()}::timestamptz`, `${now()}::timestamptz + ${span}`]
      : [`${now()}::timestamptz - ${span}`, `${now()}::timestamptz`];
  if (field.type === 'date') {
    // A date has no time of day: compare calendar days in UTC, both ends included.
    return `(${expression} BETWEEN (${from} AT TIME ZONE 'UTC')::date
                              AND (${to} AT TIME ZONE 'UTC')::date)`;
  }
  return `(${expression} BETWEEN ${from} AND ${to})`;
}
