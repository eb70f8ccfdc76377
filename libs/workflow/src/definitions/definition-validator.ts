import { type DefinitionProblem, ProblemList } from './definition-problem';
import { FieldReader, isObject } from './definition-reader';
import { parseStep } from './step-parser';
import {
  type Condition,
  successorsOf,
  type WorkflowDefinition,
  type WorkflowStep,
  type WorkflowTrigger,
} from './workflow-definition';

// A journey longer than this is a program, not a workflow; it also bounds validation work.
const MAX_STEPS = 200;

export type DefinitionValidation =
  { ok: true; definition: WorkflowDefinition } | { ok: false; problems: DefinitionProblem[] };

/**
 * Checks a definition as a user submitted it and lists every problem at once, each with its
 * step id and a code, so one round trip shows everything to fix. Targets in other workflows
 * are checked by the caller, which can read them (see WorkflowsService).
 */
export function validateDefinition(input: unknown): DefinitionValidation {
  const problems = new ProblemList();
  if (!isObject(input)) {
    problems.add('invalid_definition', null, '(definition)', 'must be an object');
    return { ok: false, problems: problems.items };
  }
  const root = new FieldReader(input, 'definition', null, problems);
  const start = root.id('start');
  const rawSteps = root.array('steps') ?? [];
  if (rawSteps.length > MAX_STEPS) {
    root.problem('invalid_value', 'steps', `must have at most ${MAX_STEPS} steps`);
  } else if (root.has('steps') && rawSteps.length === 0) {
    root.problem('missing_field', 'steps', 'needs at least one step');
  }
  const steps = rawSteps
    .slice(0, MAX_STEPS)
    .map((raw, index) => parseStep(raw, `definition.steps[${index}]`, problems));
  const triggers = root.has('triggers') ? readTriggers(root) : [];

  const readable = steps.flatMap((parsed) => (parsed ? [parsed.step] : []));
  const parsed = steps.flatMap((item) => (item?.valid ? [item.step] : []));
  const ids = stepIdsOf(rawSteps, problems);
  checkTargets(readable, ids, problems);
  if (start !== undefined && !ids.has(start)) {
    root.problem('unknown_target', 'start', 'names no step of this workflow');
  }
  if (start !== undefined && parsed.length === steps.length) {
    checkReachable(start, parsed, problems);
  }

  if (problems.size > 0 || start === undefined) {
    return { ok: false, problems: problems.items };
  }
  return { ok: true, definition: { start, steps: parsed, triggers } };
}

interface SubmittedStep {
  index: number;
  type: unknown;
}

/** Ids as submitted (even of steps with other problems), so targets are not misreported. */
function stepIdsOf(rawSteps: unknown[], problems: ProblemList): Map<string, SubmittedStep> {
  const ids = new Map<string, SubmittedStep>();
  rawSteps.forEach((raw, index) => {
    const id = isObject(raw) && typeof raw.id === 'string' ? raw.id : undefined;
    if (id === undefined) {
      return;
    }
    if (ids.has(id)) {
      problems.add(
        'duplicate_step_id',
        id,
        `definition.steps[${index}].id`,
        'is used by an earlier step',
      );
      return;
    }
    ids.set(id, { index, type: (raw as Record<string, unknown>).type });
  });
  return ids;
}

function checkTargets(
  steps: WorkflowStep[],
  ids: Map<string, SubmittedStep>,
  problems: ProblemList,
): void {
  for (const step of steps) {
    const path = `definition.steps[${ids.get(step.id)?.index ?? '?'}]`;
    // An empty target is a field already reported as missing or invalid.
    for (const target of successorsOf(step).filter((id) => id !== '')) {
      if (!ids.has(target)) {
        problems.add('unknown_target', step.id, path, 'leads to a step this workflow lacks');
      }
    }
    for (const stepId of engagementStepsOf(step)) {
      if (ids.has(stepId) && ids.get(stepId)?.type !== 'send_email') {
        problems.add('unknown_target', step.id, path, 'names a step that sends no email');
      } else if (!ids.has(stepId)) {
        problems.add('unknown_target', step.id, path, 'names a step this workflow lacks');
      }
    }
  }
}

function checkReachable(start: string, steps: WorkflowStep[], problems: ProblemList): void {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const reached = new Set<string>();
  const pending = [start];
  while (pending.length) {
    const id = pending.pop() as string;
    const step = byId.get(id);
    if (!step || reached.has(id)) {
      continue;
    }
    reached.add(id);
    pending.push(...successorsOf(step));
  }
  steps.forEach((step, index) => {
    if (!reached.has(step.id)) {
      problems.add(
        'unreachable_step',
        step.id,
        `definition.steps[${index}]`,
        'is reached from no path that starts at the start step',
      );
    }
  });
}

/** Send steps whose engagement a step waits for or branches on. */
function engagementStepsOf(step: WorkflowStep): string[] {
  if (step.type === 'wait_event') {
    return step.event.kind === 'filter'
      ? conditionSteps(step.event.condition)
      : 'stepId' in step.event && step.event.stepId
        ? [step.event.stepId]
        : [];
  }
  if (step.type === 'branch') {
    return step.conditions.flatMap((branch) => conditionSteps(branch.when));
  }
  return [];
}

function conditionSteps(condition: Condition): string[] {
  switch (condition.kind) {
    case 'all':
    case 'any':
      return condition.conditions.flatMap(conditionSteps);
    case 'opened':
    case 'clicked':
      return condition.stepId ? [condition.stepId] : [];
    case 'field':
      return [];
  }
}

function readTriggers(root: FieldReader): WorkflowTrigger[] {
  const triggers: WorkflowTrigger[] = [];
  for (const read of root.objects('triggers') ?? []) {
    const type = read?.oneOf('type', ['event', 'list_joined', 'date_milestone'] as const);
    if (!read || !type) {
      continue;
    }
    switch (type) {
      case 'event': {
        const eventType = read.id('eventType');
        if (eventType) {
          triggers.push({ type, eventType });
        }
        break;
      }
      case 'list_joined': {
        const listId = read.uuid('listId');
        if (listId) {
          triggers.push({ type, listId });
        }
        break;
      }
      case 'date_milestone': {
        const field = read.id('field');
        const at = read.time('at');
        if (field && at) {
          triggers.push({ type, field, at });
        }
        break;
      }
    }
  }
  return triggers;
}
