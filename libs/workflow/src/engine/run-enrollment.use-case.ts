import { Injectable, Logger } from '@nestjs/common';
import { EnvelopeCipher } from '@sealpost/core';
import { DataSource, type EntityManager } from 'typeorm';
import { type ContactRow, contactRecord } from '../contacts/contact-view';
import { Clock } from '../scheduling/clock';
import { type WorkflowStatus } from '../workflows/workflow-views';
import { DefinitionCache } from './definition-cache';
import { EnrollmentStore } from './enrollment-store';
import { StepExecutor } from './step-executor';
import { type EnrollmentRow, type Transition } from './transition';
import { openTrigger } from './trigger-data';
import { type WorkflowJob } from './workflow-job';

// Steps that need no waiting (send, branch, goto...) run back to back in one job; the cap
// keeps one long chain from holding a worker slot while others wait.
const MAX_STEPS_PER_JOB = 25;

interface LockedEnrollment extends EnrollmentRow {
  workflow_status: WorkflowStatus;
  sender_name: string | null;
  sender_address: string;
  reply_to: string | null;
  priority: number;
  c_email: string;
  c_name: string | null;
  c_time_zone: string;
  c_fields: Record<string, unknown>;
  c_unsubscribed_at: Date | null;
  c_consent: string | null;
  c_ehr_patient_ref: string | null;
  c_created_at: Date;
  c_updated_at: Date;
}

/**
 * Runs one due enrollment in a transaction holding the enrollment's row lock, so two workers
 * never take the same step, and a crash mid-step leaves the row as it was for the scheduler
 * to offer again.
 */
@Injectable()
export class RunEnrollmentUseCase {
  private readonly logger = new Logger(RunEnrollmentUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly definitions: DefinitionCache,
    private readonly executor: StepExecutor,
    private readonly store: EnrollmentStore,
    private readonly cipher: EnvelopeCipher,
    private readonly clock: Clock,
  ) {}

  /**
   * Returns how many steps it took. A chain of steps that need no waiting commits once: a
   * commit (a WAL flush) per step would cost more than the steps. If a later step fails, the
   * chain rolls back and runs again; a Send Email in it gets its first message back by its
   * idempotency key, so nothing is sent twice.
   */
  async execute(job: WorkflowJob): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      let revision = job.revision;
      let steps = 0;
      while (steps < MAX_STEPS_PER_JOB) {
        const taken = await this.takeStep(manager, job, revision);
        if (!taken) {
          break;
        }
        steps += 1;
        revision = taken.revision;
        if (taken.transition.kind !== 'move') {
          break;
        }
      }
      return steps;
    });
  }

  private async takeStep(
    manager: EntityManager,
    job: WorkflowJob,
    revision: number,
  ): Promise<{ revision: number; transition: Transition } | null> {
    const now = this.clock.now();
    const enrollment = await this.lockDue(manager, job, revision, now);
    if (!enrollment || enrollment.workflow_status !== 'active') {
      return null;
    }
    const definition = await this.definitions.get(
      enrollment.organisation_id,
      enrollment.workflow_id,
      enrollment.version,
    );
    const step = definition?.steps.find((candidate) => candidate.id === enrollment.current_step);
    const contact = contactOf(enrollment);
    const visit = enrollment.visited.filter((id) => id === enrollment.current_step).length;

    let transition: Transition = step
      ? await this.executor.execute(
          step,
          {
            enrollment,
            contact: contactRecord(contact),
            contactUpdatedAt: contact.updated_at,
            trigger: this.triggerOf(enrollment),
            settings: {
              senderName: enrollment.sender_name,
              senderAddress: enrollment.sender_address,
              replyTo: enrollment.reply_to,
              priority: enrollment.priority,
            },
            now,
            visit: Math.max(visit, 1),
          },
          manager,
        )
      : { kind: 'end', outcome: 'failed', state: 'failed', reason: 'unknown_step' };
    transition = stopLoops(transition, enrollment, step?.type === 'goto');

    await this.store.apply(manager, enrollment, Math.max(visit, 1), transition, now);
    this.logTransition(enrollment, transition);
    return { revision: enrollment.revision + 1, transition };
  }

  /** The row, if it is still at `revision`, due, and free; another worker's lock is skipped. */
  private async lockDue(
    manager: EntityManager,
    job: WorkflowJob,
    revision: number,
    now: Date,
  ): Promise<LockedEnrollment | null> {
    const rows = await manager.query<LockedEnrollment[]>(
      `SELECT e.id, e.organisation_id, e.workflow_id, e.version, e.contact_id, e.state,
              e.current_step, e.revision, e.due_at, e.wait_started_at, e.wait_timeout_at,
              e.visited, e.trigger_ciphertext, e.trigger_wrapped_key, e.trigger_key_id,
              w.status AS workflow_status, w.sender_name, w.sender_address, w.reply_to,
              w.priority, c.email AS c_email, c.name AS c_name, c.time_zone AS c_time_zone,
              c.fields AS c_fields, c.unsubscribed_at AS c_unsubscribed_at,
              c.consent AS c_consent, c.ehr_patient_ref AS c_ehr_patient_ref,
              c.created_at AS c_created_at, c.updated_at AS c_updated_at
         FROM workflow_enrollments e
         JOIN workflows w ON w.id = e.workflow_id AND w.organisation_id = e.organisation_id
         -- The contact comes with the row (one round trip per step fewer); its row is not
         -- locked, so an API update never waits for a step.
         JOIN contacts c ON c.id = e.contact_id AND c.organisation_id = e.organisation_id
        WHERE e.organisation_id = $1 AND e.id = $2 AND e.revision = $3
          AND e.state IN ('active', 'waiting') AND e.due_at <= $4
        FOR UPDATE OF e SKIP LOCKED`,
      [job.organisationId, job.enrollmentId, revision, now],
    );
    return rows[0] ?? null;
  }

  private triggerOf(enrollment: EnrollmentRow): Record<string, unknown> {
    const { trigger_ciphertext: ciphertext, trigger_wrapped_key: wrappedKey } = enrollment;
    const sealed =
      ciphertext && wrappedKey && enrollment.trigger_key_id
        ? { ciphertext, wrappedKey, keyId: enrollment.trigger_key_id }
        : null;
    return openTrigger(this.cipher, enrollment.organisation_id, enrollment.id, sealed);
  }

  private logTransition(enrollment: EnrollmentRow, transition: Transition): void {
    this.logger.log(
      {
        organisationId: enrollment.organisation_id,
        workflowId: enrollment.workflow_id,
        enrollmentId: enrollment.id,
        stepId: enrollment.current_step,
        transition: transition.kind,
        outcome: transition.kind === 'wait' ? 'waiting' : transition.outcome,
      },
      'workflow step taken',
    );
  }
}

function contactOf(row: LockedEnrollment): ContactRow {
  return {
    id: row.contact_id,
    email: row.c_email,
    name: row.c_name,
    time_zone: row.c_time_zone,
    fields: row.c_fields,
    unsubscribed_at: row.c_unsubscribed_at,
    consent: row.c_consent,
    ehr_patient_ref: row.c_ehr_patient_ref,
    created_at: row.c_created_at,
    updated_at: row.c_updated_at,
  };
}

/**
 * A contact never loops: moving to a step this enrollment already visited ends the path
 * instead, recorded as loop_stopped (the Go To's own outcome when a Go To led there).
 */
function stopLoops(transition: Transition, enrollment: EnrollmentRow, isGoto: boolean): Transition {
  if (transition.kind !== 'move' || !enrollment.visited.includes(transition.next)) {
    return transition;
  }
  return {
    kind: 'end',
    outcome: isGoto ? 'loop_stopped' : transition.outcome,
    state: 'completed',
    reason: 'loop_stopped',
    ...(transition.messageId ? { messageId: transition.messageId } : {}),
  };
}
