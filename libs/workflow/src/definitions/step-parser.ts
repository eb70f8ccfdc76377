import { DateTime } from 'luxon';
import { type ProblemList } from './definition-problem';
import { FieldReader, isObject } from './definition-reader';
import {
  type AwaitedEvent,
  type Condition,
  type FieldOperator,
  STEP_TYPES,
  type StepType,
  type WaitSpec,
  WEEKDAYS,
  type Weekday,
  type WorkflowStep,
} from './workflow-definition';

const FIELD_OPERATORS: readonly FieldOperator[] = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'not_exists',
];
// Deeper nesting is no longer readable in an editor and only costs evaluation time.
const MAX_CONDITION_DEPTH = 4;

export interface ParsedStep {
  /** As far as it could be read: fields with problems hold empty strings. */
  step: WorkflowStep;
  valid: boolean;
}

/** Reads one step; null when not even its id and type could be read. */
export function parseStep(raw: unknown, path: string, problems: ProblemList): ParsedStep | null {
  if (!isObject(raw)) {
    problems.add('invalid_definition', null, path, 'must be an object');
    return null;
  }
  const stepId = typeof raw.id === 'string' ? raw.id : null;
  const before = problems.size;
  const read = new FieldReader(raw, path, stepId, problems);
  const id = read.id('id');
  const type = read.string('type');
  if (type !== undefined && !(STEP_TYPES as readonly string[]).includes(type)) {
    read.problem('unknown_step_type', 'type', `must be one of ${STEP_TYPES.join(', ')}`);
    return null;
  }
  if (id === undefined || type === undefined) {
    return null;
  }
  const step = readStepBody(read, id, type as StepType);
  return { step, valid: problems.size === before };
}

function readStepBody(read: FieldReader, id: string, type: StepType): WorkflowStep {
  switch (type) {
    case 'send_email':
      return { id, type, templateId: read.uuid('templateId') ?? '', next: read.id('next') ?? '' };
    case 'wait_time':
      return { id, type, wait: readWait(read), next: read.id('next') ?? '' };
    case 'wait_event':
      return {
        id,
        type,
        event: readEvent(read),
        timeout: read.duration('timeout') ?? '',
        next: read.id('next') ?? '',
        timeoutNext: read.id('timeoutNext') ?? '',
      };
    case 'branch':
      return {
        id,
        type,
        conditions: readBranches(read),
        fallback: read.id('fallback') ?? '',
      };
    case 'goto': {
      const workflowId = read.has('workflowId') ? read.uuid('workflowId') : undefined;
      return { id, type, target: read.id('target') ?? '', ...(workflowId ? { workflowId } : {}) };
    }
    case 'add_to_list':
      return { id, type, listId: read.uuid('listId') ?? '', next: read.id('next') ?? '' };
    case 'end':
      return { id, type };
  }
}

const WAIT_KINDS = [
  'duration',
  'until',
  'relative_to_field',
  'relative_to_trigger',
  'window',
] as const;

function readWait(step: FieldReader): WaitSpec {
  const read = step.child('wait');
  const kind = read?.oneOf('kind', WAIT_KINDS);
  if (!read || !kind) {
    return { kind: 'duration', duration: '' };
  }
  switch (kind) {
    case 'duration': {
      const timeZone = read.has('timeZone') ? read.timeZone('timeZone', true) : undefined;
      return { kind, duration: read.duration('duration') ?? '', ...(timeZone ? { timeZone } : {}) };
    }
    case 'until': {
      const at = read.string('at');
      if (at !== undefined && !DateTime.fromISO(at, { setZone: true }).isValid) {
        read.problem('invalid_date', 'at', 'must be an ISO 8601 date-time with an offset');
      }
      return { kind, at: at ?? '' };
    }
    case 'relative_to_field':
      return {
        kind,
        field: read.id('field') ?? '',
        direction: read.oneOf('direction', ['before', 'after'] as const) ?? 'before',
        duration: read.duration('duration') ?? '',
      };
    case 'relative_to_trigger':
      return {
        kind,
        path: read.id('path') ?? '',
        direction: read.oneOf('direction', ['before', 'after'] as const) ?? 'before',
        duration: read.duration('duration') ?? '',
      };
    case 'window':
      return readWindow(read);
  }
}

function readWindow(read: FieldReader): WaitSpec {
  const days = read.array('days') ?? [];
  if (days.length === 0 || days.some((day) => !WEEKDAYS.includes(day as Weekday))) {
    read.problem('invalid_value', 'days', `must list one or more of ${WEEKDAYS.join(', ')}`);
  }
  const from = read.time('from');
  const to = read.time('to');
  if (from !== undefined && to !== undefined && from >= to) {
    read.problem('invalid_time', 'to', 'must be later than from on the same day');
  }
  return {
    kind: 'window',
    days: days as Weekday[],
    from: from ?? '',
    to: to ?? '',
    timeZone: read.timeZone('timeZone', true) ?? '',
  };
}

function readEvent(step: FieldReader): AwaitedEvent {
  const read = step.child('event');
  const kind = read?.oneOf('kind', ['opened', 'clicked', 'contact_updated', 'filter'] as const);
  if (!read || !kind) {
    return { kind: 'contact_updated' };
  }
  switch (kind) {
    case 'opened':
    case 'clicked':
      return readEngagement(read, kind);
    case 'contact_updated':
      return { kind };
    case 'filter':
      return { kind, condition: readCondition(read, 'condition', 1) };
  }
}

function readEngagement(
  read: FieldReader,
  kind: 'opened' | 'clicked',
): { kind: 'opened' | 'clicked'; stepId?: string; url?: string } {
  const stepId = read.has('stepId') ? read.id('stepId') : undefined;
  const url = kind === 'clicked' ? read.optionalString('url') : undefined;
  if (url !== undefined && !URL.canParse(url)) {
    read.problem('invalid_value', 'url', 'must be an absolute URL');
  }
  return { kind, ...(stepId ? { stepId } : {}), ...(url ? { url } : {}) };
}

function readBranches(read: FieldReader): { when: Condition; next: string }[] {
  const branches = read.objects('conditions') ?? [];
  if (branches.length === 0) {
    read.problem('missing_field', 'conditions', 'needs at least one condition');
  }
  return branches.map((branch) => ({
    when: branch ? readCondition(branch, 'when', 1) : EMPTY_CONDITION,
    next: branch?.id('next') ?? '',
  }));
}

const EMPTY_CONDITION: Condition = { kind: 'all', conditions: [] };

/** Field comparisons, engagement facts, and all/any groups of them. */
function readCondition(parent: FieldReader, key: string, depth: number): Condition {
  const read = parent.child(key);
  return read ? readConditionObject(read, depth) : EMPTY_CONDITION;
}

function readConditionObject(read: FieldReader, depth: number): Condition {
  const kind = read.string('kind');
  if (kind === undefined) {
    return EMPTY_CONDITION;
  }
  if (depth > MAX_CONDITION_DEPTH) {
    read.problem('invalid_condition', 'kind', `nests deeper than ${MAX_CONDITION_DEPTH} levels`);
    return EMPTY_CONDITION;
  }
  switch (kind) {
    case 'field':
      return readFieldCondition(read);
    case 'opened':
    case 'clicked': {
      const engagement = readEngagement(read, kind);
      const days = read.has('withinDays') ? positiveInteger(read, 'withinDays') : undefined;
      return { ...engagement, ...(days ? { withinDays: days } : {}) };
    }
    case 'all':
    case 'any': {
      const items = read.objects('conditions') ?? [];
      const conditions = items.map((item) =>
        item ? readConditionObject(item, depth + 1) : EMPTY_CONDITION,
      );
      return { kind, conditions };
    }
    default:
      read.problem('invalid_condition', 'kind', 'must be field, opened, clicked, all or any');
      return EMPTY_CONDITION;
  }
}

function readFieldCondition(read: FieldReader): Condition {
  const field = read.id('field') ?? '';
  const op = read.oneOf('op', FIELD_OPERATORS) ?? 'exists';
  const value = read.value('value');
  if (op === 'exists' || op === 'not_exists') {
    return { kind: 'field', field, op };
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    read.problem(
      'invalid_condition',
      'value',
      `is required for ${op}: a string, number or boolean`,
    );
    return EMPTY_CONDITION;
  }
  return { kind: 'field', field, op, value };
}

function positiveInteger(read: FieldReader, key: string): number | undefined {
  const value = read.value(key);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 3660) {
    read.problem('invalid_value', key, 'must be a whole number of days from 1 to 3660');
    return undefined;
  }
  return value;
}
