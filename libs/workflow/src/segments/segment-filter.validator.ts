import { type ErrorDetail } from '@sealpost/core';
import { type ContactFieldDefinition, fieldValueProblem } from '../contacts/contact-field-type';
import { OPERATORS_BY_TYPE, resolveFilterField, STANDARD_FIELD_NAMES } from './segment-fields';
import {
  SEGMENT_FIELD_OPERATORS,
  MAX_FILTER_CONDITIONS,
  MAX_FILTER_DEPTH,
  MAX_WITHIN_DAYS,
  type SegmentFilter,
} from './segment-filter';
import { isUuid } from '../contacts/uuid';

const NODE_KEYS = ['all', 'any', 'not', 'field', 'list', 'unsubscribed', 'engagement'];

export type SegmentFilterResult =
  { ok: true; filter: SegmentFilter } | { ok: false; problems: ErrorDetail[] };

/**
 * Checks a filter against the language and the organisation's declared fields, listing every
 * problem with its path (`filter.all[2].value`). Problems quote no values.
 */
export function validateSegmentFilter(
  raw: unknown,
  catalog: readonly ContactFieldDefinition[],
  path = 'filter',
): SegmentFilterResult {
  const problems: ErrorDetail[] = [];
  const counter = { conditions: 0 };
  checkNode(raw, path, 1, catalog, problems, counter);
  if (counter.conditions > MAX_FILTER_CONDITIONS) {
    problems.push({ path, message: `has more than ${MAX_FILTER_CONDITIONS} conditions` });
  }
  return problems.length ? { ok: false, problems } : { ok: true, filter: raw as SegmentFilter };
}

/** Every list id a valid filter refers to, so the caller can check they are its own. */
export function listIdsOf(filter: SegmentFilter): string[] {
  if ('all' in filter) {
    return filter.all.flatMap(listIdsOf);
  }
  if ('any' in filter) {
    return filter.any.flatMap(listIdsOf);
  }
  if ('not' in filter) {
    return listIdsOf(filter.not);
  }
  return 'list' in filter ? [filter.list] : [];
}

function checkNode(
  raw: unknown,
  path: string,
  depth: number,
  catalog: readonly ContactFieldDefinition[],
  problems: ErrorDetail[],
  counter: { conditions: number },
): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ path, message: 'must be an object' });
    return;
  }
  if (depth > MAX_FILTER_DEPTH) {
    problems.push({ path, message: `nests deeper than ${MAX_FILTER_DEPTH} levels` });
    return;
  }
  const node = raw as Record<string, unknown>;
  const kinds = Object.keys(node).filter((key) => NODE_KEYS.includes(key));
  if (kinds.length !== 1) {
    problems.push({ path, message: `must have exactly one of ${NODE_KEYS.join(', ')}` });
    return;
  }
  const [kind] = kinds;
  counter.conditions += 1;
  const allowed: Record<string, string[]> = {
    all: ['all'],
    any: ['any'],
    not: ['not'],
    field: ['field', 'op', 'value'],
    list: ['list'],
    unsubscribed: ['unsubscribed'],
    engagement: ['engagement', 'workflowId', 'withinDays'],
  };
  for (const key of Object.keys(node)) {
    if (!allowed[kind].includes(key)) {
      problems.push({ path: `${path}.${key}`, message: `is not allowed in a ${kind} condition` });
    }
  }

  switch (kind) {
    case 'all':
    case 'any': {
      const children = node[kind];
      if (!Array.isArray(children) || children.length === 0) {
        problems.push({ path: `${path}.${kind}`, message: 'must be a non-empty list of filters' });
        return;
      }
      children.forEach((child, index) =>
        checkNode(child, `${path}.${kind}[${index}]`, depth + 1, catalog, problems, counter),
      );
      return;
    }
    case 'not':
      checkNode(node.not, `${path}.not`, depth + 1, catalog, problems, counter);
      return;
    case 'list':
      if (!isUuid(node.list)) {
        problems.push({ path: `${path}.list`, message: 'must be a contact list id' });
      }
      return;
    case 'unsubscribed':
      if (typeof node.unsubscribed !== 'boolean') {
        problems.push({ path: `${path}.unsubscribed`, message: 'must be true or false' });
      }
      return;
    case 'engagement':
      checkEngagement(node, path, problems);
      return;
    default:
      checkField(node, path, catalog, problems);
  }
}

function checkEngagement(node: Record<string, unknown>, path: string, problems: ErrorDetail[]) {
  if (node.engagement !== 'opened' && node.engagement !== 'clicked') {
    problems.push({ path: `${path}.engagement`, message: 'must be opened or clicked' });
  }
  if (node.workflowId !== undefined && !isUuid(node.workflowId)) {
    problems.push({ path: `${path}.workflowId`, message: 'must be a workflow id' });
  }
  if (node.withinDays !== undefined && !isDayCount(node.withinDays, 1)) {
    problems.push({
      path: `${path}.withinDays`,
      message: `must be a whole number of days from 1 to ${MAX_WITHIN_DAYS}`,
    });
  }
}

function checkField(
  node: Record<string, unknown>,
  path: string,
  catalog: readonly ContactFieldDefinition[],
  problems: ErrorDetail[],
): void {
  const field = typeof node.field === 'string' ? resolveFilterField(node.field, catalog) : null;
  if (!field) {
    problems.push({
      path: `${path}.field`,
      message: `must be one of ${STANDARD_FIELD_NAMES.join(', ')} or fields.<declared key>`,
    });
  }
  if (!(SEGMENT_FIELD_OPERATORS as readonly unknown[]).includes(node.op)) {
    problems.push({
      path: `${path}.op`,
      message: `must be one of ${SEGMENT_FIELD_OPERATORS.join(', ')}`,
    });
    return;
  }
  if (!field) {
    return;
  }
  const op = node.op as string;
  if (!OPERATORS_BY_TYPE[field.type].includes(op)) {
    problems.push({
      path: `${path}.op`,
      message:
        `does not apply to a ${field.type} field; ` +
        `use ${OPERATORS_BY_TYPE[field.type].join(', ')}`,
    });
    return;
  }

  const valuePath = `${path}.value`;
  if (op === 'exists') {
    if (node.value !== undefined && typeof node.value !== 'boolean') {
      problems.push({ path: valuePath, message: 'must be true or false (or left out)' });
    }
  } else if (op === 'within_days') {
    if (!isDayCount(node.value, -MAX_WITHIN_DAYS) || node.value === 0) {
      problems.push({
        path: valuePath,
        message:
          `must be a whole number of days, 1 to ${MAX_WITHIN_DAYS} ahead ` +
          `or -1 to -${MAX_WITHIN_DAYS} back`,
      });
    }
  } else if (op === 'contains') {
    if (typeof node.value !== 'string' || node.value.length === 0) {
      problems.push({ path: valuePath, message: 'must be a non-empty string' });
    }
  } else {
    const problem = fieldValueProblem(field.type, node.value);
    if (problem) {
      problems.push({ path: valuePath, message: problem });
    }
  }
}

function isDayCount(value: unknown, min: number): boolean {
  return (
    Number.isInteger(value) && (value as number) >= min && (value as number) <= MAX_WITHIN_DAYS
  );
}
