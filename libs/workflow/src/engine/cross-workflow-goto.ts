import { Injectable, Logger } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type GotoStep, type WorkflowDefinition } from '../definitions/workflow-definition';
import { EnrollmentStore } from './enrollment-store';
import { type StepContext } from './step-context';
import { type Transition } from './transition';

/**
 * Go To a step of another workflow: the contact leaves this one and enters that one at the
 * step, on its current version. A contact already enrolled there (now or ever) is not moved:
 * that would be a loop or a re-entry, so the path ends here, recorded as loop_stopped.
 */
@Injectable()
export class CrossWorkflowGoto {
  private readonly logger = new Logger(CrossWorkflowGoto.name);

  constructor(private readonly store: EnrollmentStore) {}

  async run(step: GotoStep, context: StepContext, manager: EntityManager): Promise<Transition> {
    const { enrollment } = context;
    const [target] = await manager.query<{ version: number; definition: WorkflowDefinition }[]>(
      `SELECT w.current_version AS version, v.definition FROM workflows w
         JOIN workflow_versions v ON v.workflow_id = w.id AND v.version = w.current_version
        WHERE w.organisation_id = $1 AND w.id = $2 AND w.status <> 'archived'`,
      [enrollment.organisation_id, step.workflowId],
    );
    if (!target?.definition.steps.some((candidate) => candidate.id === step.target)) {
      return { kind: 'end', outcome: 'failed', state: 'failed', reason: 'unknown_target' };
    }
    const movedTo = await this.store.enrollTriggered(manager, {
      organisationId: enrollment.organisation_id,
      workflowId: step.workflowId as string,
      version: target.version,
      startStep: step.target,
      dueAt: context.now,
      contactId: enrollment.contact_id,
      trigger: context.trigger,
    });
    if (!movedTo) {
      return { kind: 'end', outcome: 'loop_stopped', state: 'completed', reason: 'loop_stopped' };
    }
    this.logger.log(
      {
        organisationId: enrollment.organisation_id,
        enrollmentId: enrollment.id,
        movedToEnrollmentId: movedTo,
      },
      'enrollment moved to another workflow',
    );
    return { kind: 'end', outcome: 'moved', state: 'completed', reason: 'moved' };
  }
}
