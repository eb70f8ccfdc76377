import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import {
  type AddToListStep,
  type BranchStep,
  type WaitEventStep,
  type WaitTimeStep,
  type WorkflowStep,
} from '../definitions/workflow-definition';
import { addDuration, dueTimeOf } from '../scheduling/wait-time';
import { ConditionEvaluator } from './condition-evaluator';
import { CrossWorkflowGoto } from './cross-workflow-goto';
import { SendEmailStepRunner } from './send-email-step';
import { type StepContext } from './step-context';
import { type Transition } from './transition';

// Contact updates and filters have no push signal: a waiting contact is re-checked this
// often. Opens and clicks need no polling, the EngagementSink wakes them.
const RECHECK_MS = 5 * 60 * 1000;

/** Takes the step an enrollment is at and says what happens next. */
@Injectable()
export class StepExecutor {
  constructor(
    private readonly send: SendEmailStepRunner,
    private readonly conditions: ConditionEvaluator,
    private readonly crossGoto: CrossWorkflowGoto,
  ) {}

  async execute(
    step: WorkflowStep,
    context: StepContext,
    manager: EntityManager,
  ): Promise<Transition> {
    switch (step.type) {
      case 'send_email':
        return this.send.run(step, context);
      case 'wait_time':
        return waitForTime(step, context);
      case 'wait_event':
        return this.waitForEvent(step, context);
      case 'branch':
        return this.branch(step, context);
      case 'goto':
        if (step.workflowId && step.workflowId !== context.enrollment.workflow_id) {
          return this.crossGoto.run(step, context, manager);
        }
        return { kind: 'move', outcome: 'goto', next: step.target };
      case 'add_to_list':
        return addToList(step, context, manager);
      case 'end':
        return { kind: 'end', outcome: 'ended', state: 'completed', reason: 'completed' };
    }
  }

  private async waitForEvent(step: WaitEventStep, context: StepContext): Promise<Transition> {
    const { enrollment, now } = context;
    const startedAt = enrollment.wait_started_at;
    if (!startedAt || !enrollment.wait_timeout_at) {
      const endsAt = addDuration(now, step.timeout);
      return { kind: 'wait', dueAt: recheckDue(step, now, endsAt), waitEndsAt: endsAt };
    }
    if (await this.eventHappened(step, context, startedAt)) {
      return { kind: 'move', outcome: 'event', next: step.next };
    }
    if (now >= enrollment.wait_timeout_at) {
      return { kind: 'move', outcome: 'timed_out', next: step.timeoutNext };
    }
    const endsAt = enrollment.wait_timeout_at;
    return { kind: 'wait', dueAt: recheckDue(step, now, endsAt), waitEndsAt: endsAt };
  }

  private eventHappened(step: WaitEventStep, context: StepContext, since: Date): Promise<boolean> {
    const subject = {
      organisationId: context.enrollment.organisation_id,
      enrollmentId: context.enrollment.id,
      contact: context.contact,
      now: context.now,
      since,
      engagement: context.engagement,
    };
    const { event } = step;
    switch (event.kind) {
      case 'opened':
      case 'clicked':
        return this.conditions.holds(event, subject);
      case 'contact_updated':
        return Promise.resolve(context.contactUpdatedAt > since);
      case 'filter':
        return this.conditions.holds(event.condition, { ...subject, since: undefined });
    }
  }

  private async branch(step: BranchStep, context: StepContext): Promise<Transition> {
    const subject = {
      organisationId: context.enrollment.organisation_id,
      enrollmentId: context.enrollment.id,
      contact: context.contact,
      now: context.now,
      engagement: context.engagement,
    };
    for (const [index, branch] of step.conditions.entries()) {
      if (await this.conditions.holds(branch.when, subject)) {
        return { kind: 'move', outcome: `branch_${index + 1}`, next: branch.next };
      }
    }
    return { kind: 'move', outcome: 'fallback', next: step.fallback };
  }
}

function waitForTime(step: WaitTimeStep, context: StepContext): Transition {
  const { enrollment, now } = context;
  const endsAt = enrollment.wait_started_at ? enrollment.wait_timeout_at : null;
  if (endsAt) {
    return now >= endsAt
      ? { kind: 'move', outcome: 'waited', next: step.next }
      : { kind: 'wait', dueAt: endsAt, waitEndsAt: endsAt };
  }
  const due = dueTimeOf(step.wait, { ...context.contact, trigger: context.trigger }, now);
  if ('failed' in due) {
    const where = 'path' in due ? `trigger.${due.path}` : `contact.fields.${due.field}`;
    const reason = `${due.failed}:${where}`;
    return { kind: 'end', outcome: 'failed', state: 'failed', reason };
  }
  return due.due <= now
    ? { kind: 'move', outcome: 'waited', next: step.next }
    : { kind: 'wait', dueAt: due.due, waitEndsAt: due.due };
}

function recheckDue(step: WaitEventStep, now: Date, endsAt: Date): Date {
  const polled = step.event.kind === 'contact_updated' || step.event.kind === 'filter';
  const recheck = new Date(now.getTime() + RECHECK_MS);
  return polled && recheck < endsAt ? recheck : endsAt;
}

async function addToList(
  step: AddToListStep,
  context: StepContext,
  manager: EntityManager,
): Promise<Transition> {
  const { organisation_id: organisationId, contact_id: contactId } = context.enrollment;
  const lists = await manager.query<unknown[]>(
    `INSERT INTO contact_list_members (organisation_id, list_id, contact_id)
     SELECT l.organisation_id, l.id, $3 FROM contact_lists l
      WHERE l.organisation_id = $1 AND l.id = $2
     ON CONFLICT DO NOTHING RETURNING list_id`,
    [organisationId, step.listId, contactId],
  );
  const listExists = lists.length > 0 || (await listFound(manager, organisationId, step.listId));
  return { kind: 'move', outcome: listExists ? 'added' : 'list_missing', next: step.next };
}

async function listFound(manager: EntityManager, organisationId: string, id: string) {
  const rows = await manager.query<unknown[]>(
    'SELECT 1 FROM contact_lists WHERE organisation_id = $1 AND id = $2',
    [organisationId, id],
  );
  return rows.length > 0;
}
