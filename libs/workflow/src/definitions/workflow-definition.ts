/**
 * The JSON shape of a workflow version, as stored in workflow_versions.definition. The
 * validator (definition-validator.ts) is the only way from untrusted input to this type.
 */
export const STEP_TYPES = [
  'send_email',
  'wait_time',
  'wait_event',
  'branch',
  'goto',
  'add_to_list',
  'end',
] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A zone name, or `contact` for the enrolled contact's own time zone. */
export type ZoneChoice = string;

export type WaitSpec =
  | { kind: 'duration'; duration: string; timeZone?: ZoneChoice }
  | { kind: 'until'; at: string }
  | {
      kind: 'relative_to_field';
      field: string;
      direction: 'before' | 'after';
      duration: string;
    }
  /** `path` names a value of the trigger data, e.g. `appointment.start` from the EHR. */
  | {
      kind: 'relative_to_trigger';
      path: string;
      direction: 'before' | 'after';
      duration: string;
    }
  | { kind: 'window'; days: Weekday[]; from: string; to: string; timeZone: ZoneChoice };

export type EngagementKind = 'opened' | 'clicked';

export type AwaitedEvent =
  /** An open or click of an email this enrollment received (optionally of one step). */
  | { kind: EngagementKind; stepId?: string; url?: string }
  | { kind: 'contact_updated' }
  | { kind: 'filter'; condition: Condition };

export type FieldOperator = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'exists' | 'not_exists';

export type Condition =
  | { kind: 'field'; field: string; op: FieldOperator; value?: string | number | boolean }
  | { kind: EngagementKind; stepId?: string; url?: string; withinDays?: number }
  | { kind: 'all' | 'any'; conditions: Condition[] };

interface StepBase {
  id: string;
}

export interface SendEmailStep extends StepBase {
  type: 'send_email';
  templateId: string;
  next: string;
}

export interface WaitTimeStep extends StepBase {
  type: 'wait_time';
  wait: WaitSpec;
  next: string;
}

export interface WaitEventStep extends StepBase {
  type: 'wait_event';
  event: AwaitedEvent;
  timeout: string;
  next: string;
  timeoutNext: string;
}

export interface BranchStep extends StepBase {
  type: 'branch';
  conditions: { when: Condition; next: string }[];
  fallback: string;
}

export interface GotoStep extends StepBase {
  type: 'goto';
  /** A step of this workflow, or of `workflowId` when given. */
  target: string;
  workflowId?: string;
}

export interface AddToListStep extends StepBase {
  type: 'add_to_list';
  listId: string;
  next: string;
}

export interface EndStep extends StepBase {
  type: 'end';
}

export type WorkflowStep =
  SendEmailStep | WaitTimeStep | WaitEventStep | BranchStep | GotoStep | AddToListStep | EndStep;

export type WorkflowTrigger =
  | { type: 'event'; eventType: string }
  | { type: 'list_joined'; listId: string }
  /** Yearly on the date in a contact field (e.g. a check-up), at `at` local time. */
  | { type: 'date_milestone'; field: string; at: string };

export interface WorkflowDefinition {
  /** The step an enrollment starts at. */
  start: string;
  steps: WorkflowStep[];
  triggers: WorkflowTrigger[];
}

/** The steps a step can lead to within its own workflow. */
export function successorsOf(step: WorkflowStep): string[] {
  switch (step.type) {
    case 'send_email':
    case 'wait_time':
    case 'add_to_list':
      return [step.next];
    case 'wait_event':
      return [step.next, step.timeoutNext];
    case 'branch':
      return [...step.conditions.map((condition) => condition.next), step.fallback];
    case 'goto':
      return step.workflowId ? [] : [step.target];
    case 'end':
      return [];
  }
}
