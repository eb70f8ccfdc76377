import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EnvelopeCipher, safeErrorFields } from '@sealpost/core';
import { AcceptMessageBatch } from '@sealpost/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import { type ContactRow, contactRecord } from '../contacts/contact-view';
import { Clock } from '../scheduling/clock';
import { type WorkflowStatus } from '../workflows/workflow-views';
import { ConditionEvaluator, type EngagementEvent } from './condition-evaluator';
import { DefinitionCache } from './definition-cache';
import { advance, type ChainRecord, EnrollmentStore, type StepRunRecord } from './enrollment-store';
import { StepExecutor } from './step-executor';
import { type EnrollmentRow, type PendingSend, type Transition } from './transition';
import { openTrigger } from './trigger-data';
import { type DueEnrollment, enrollmentsOf, type QueuedWorkflowJob } from './workflow-job';

// Steps that need no waiting (send, branch, goto...) run back to back in one job; the cap
// keeps one long chain from holding a worker slot while others wait.
const MAX_STEPS_PER_JOB = 25;

interface LockedEnrollment extends EnrollmentRow {
  ended_reason: string | null;
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

/** A chain as it runs: its record, and the Send Email messages waiting to be accepted. */
interface RunningChain extends ChainRecord {
  sends: { run: StepRunRecord; send: PendingSend }[];
  transitions: { stepId: string; transition: Transition }[];
}

/**
 * Runs a job's due enrollments in one transaction holding their row locks, so two workers
 * never take the same step, and a crash mid-batch leaves the rows as they were for the
 * scheduler to offer again.
 */
@Injectable()
export class RunEnrollmentUseCase {
  private readonly logger = new Logger(RunEnrollmentUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly definitions: DefinitionCache,
    private readonly executor: StepExecutor,
    private readonly conditions: ConditionEvaluator,
    private readonly store: EnrollmentStore,
    private readonly accept: AcceptMessageBatch,
    private readonly cipher: EnvelopeCipher,
    private readonly clock: Clock,
  ) {}

  /**
   * Returns how many steps it took. Each enrollment's chain of steps that need no waiting
   * runs in memory; the batch's emails are accepted, and every step run and enrollment is
   * written, together, and commit once: a commit (a WAL flush) or a round trip per step
   * would cost more than the steps. Should the batch fail, each enrollment runs again alone,
   * so one contact's crash holds back no other; a Send Email run again gets its first
   * message back by its idempotency key, so nothing is sent twice.
   */
  async execute(job: QueuedWorkflowJob): Promise<number> {
    const due = enrollmentsOf(job);
    if (due.length === 1) {
      return this.runBatch(job.organisationId, due);
    }
    try {
      return await this.runBatch(job.organisationId, due);
    } catch (error) {
      this.logger.warn(
        {
          organisationId: job.organisationId,
          enrollments: due.length,
          err: safeErrorFields(error),
        },
        'workflow batch failed; running its enrollments one by one',
      );
    }
    let steps = 0;
    for (const enrollment of due) {
      try {
        steps += await this.runBatch(job.organisationId, [enrollment]);
      } catch (error) {
        // Left due in PostgreSQL: the scheduler offers it again once its lease ends.
        this.logger.error(
          {
            organisationId: job.organisationId,
            enrollmentId: enrollment.enrollmentId,
            err: safeErrorFields(error),
          },
          'workflow step crashed',
        );
      }
    }
    return steps;
  }

  private runBatch(organisationId: string, due: DueEnrollment[]): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const chains: RunningChain[] = [];
      const locked = await this.lockDue(manager, organisationId, due, now);
      const engagement = await this.conditions.engagementOf(
        manager,
        organisationId,
        locked.map((enrollment) => enrollment.id),
      );
      for (const enrollment of locked) {
        if (enrollment.workflow_status === 'active') {
          chains.push(
            await this.runChain(manager, enrollment, now, engagement.get(enrollment.id) ?? []),
          );
        }
      }
      await this.acceptSends(manager, organisationId, chains);
      await this.store.record(manager, organisationId, chains);
      let steps = 0;
      for (const chain of chains) {
        steps += chain.transitions.length;
        chain.transitions.forEach(({ stepId, transition }) =>
          this.logTransition(chain.after, stepId, transition),
        );
      }
      return steps;
    });
  }

  /** Takes steps until one waits or ends the journey, or the cap; writes nothing itself. */
  private async runChain(
    manager: EntityManager,
    locked: LockedEnrollment,
    now: Date,
    engagement: readonly EngagementEvent[],
  ): Promise<RunningChain> {
    const contact = contactRecord(contactOf(locked));
    const trigger = this.triggerOf(locked);
    const settings = {
      senderName: locked.sender_name,
      senderAddress: locked.sender_address,
      replyTo: locked.reply_to,
      priority: locked.priority,
    };
    const chain: RunningChain = {
      fromRevision: locked.revision,
      after: locked,
      runs: [],
      sends: [],
      transitions: [],
    };
    const definition = await this.definitions.get(
      locked.organisation_id,
      locked.workflow_id,
      locked.version,
    );
    while (chain.transitions.length < MAX_STEPS_PER_JOB) {
      const enrollment = chain.after;
      const step = definition?.steps.find((candidate) => candidate.id === enrollment.current_step);
      const visit = Math.max(
        enrollment.visited.filter((id) => id === enrollment.current_step).length,
        1,
      );
      let transition: Transition = step
        ? await this.executor.execute(
            step,
            {
              enrollment,
              contact,
              contactUpdatedAt: locked.c_updated_at,
              trigger,
              settings,
              now,
              visit,
              engagement,
            },
            manager,
          )
        : { kind: 'end', outcome: 'failed', state: 'failed', reason: 'unknown_step' };
      transition = stopLoops(transition, enrollment, step?.type === 'goto');
      if (transition.kind !== 'wait') {
        const run: StepRunRecord = {
          stepId: enrollment.current_step,
          visit,
          outcome: transition.outcome,
          messageId: transition.messageId ?? null,
        };
        chain.runs.push(run);
        if (transition.send) {
          chain.sends.push({ run, send: transition.send });
        }
      }
      chain.transitions.push({ stepId: enrollment.current_step, transition });
      chain.after = advance(enrollment, transition, now);
      if (transition.kind !== 'move') {
        break;
      }
    }
    return chain;
  }

  /** The batch's emails in one go; each step run then names its message. */
  private async acceptSends(
    manager: EntityManager,
    organisationId: string,
    chains: RunningChain[],
  ): Promise<void> {
    const sends = chains.flatMap((chain) => chain.sends);
    const accepted = await this.accept.acceptIn(
      manager,
      organisationId,
      sends.map(({ send }) => ({
        prepared: send.prepared,
        idempotencyKey: send.idempotencyKey,
        requestHash: createHash('sha256').update(send.idempotencyKey).digest('hex'),
      })),
    );
    sends.forEach(({ run }, index) => {
      run.messageId = accepted[index].id;
    });
  }

  /** The rows still at their revisions, due, and free; another worker's locks are skipped. */
  private async lockDue(
    manager: EntityManager,
    organisationId: string,
    due: DueEnrollment[],
    now: Date,
  ): Promise<LockedEnrollment[]> {
    const ordered = [...due].sort((a, b) => (a.enrollmentId < b.enrollmentId ? -1 : 1));
    return manager.query<LockedEnrollment[]>(
      `SELECT e.id, e.organisation_id, e.workflow_id, e.version, e.contact_id, e.state,
              e.current_step, e.revision, e.due_at, e.wait_started_at, e.wait_timeout_at,
              e.visited, e.ended_reason, e.trigger_ciphertext, e.trigger_wrapped_key,
              e.trigger_key_id,
              w.status AS workflow_status, w.sender_name, w.sender_address, w.reply_to,
              w.priority, c.email AS c_email, c.name AS c_name, c.time_zone AS c_time_zone,
              c.fields AS c_fields, c.unsubscribed_at AS c_unsubscribed_at,
              c.consent AS c_consent, c.ehr_patient_ref AS c_ehr_patient_ref,
              c.created_at AS c_created_at, c.updated_at AS c_updated_at
         FROM unnest($2::uuid[], $3::int[]) AS j(id, revision)
         -- One primary-key lookup per id, whatever the planner believes of the table: a join
         -- could scan every due row of the organisation for each batch.
         CROSS JOIN LATERAL (
           SELECT * FROM workflow_enrollments e
            WHERE e.id = j.id AND e.revision = j.revision AND e.organisation_id = $1
              AND e.state IN ('active', 'waiting') AND e.due_at <= $4
              FOR UPDATE SKIP LOCKED) e
         JOIN workflows w ON w.id = e.workflow_id AND w.organisation_id = e.organisation_id
         -- The contact comes with the row (one round trip per batch fewer); its row is not
         -- locked, so an API update never waits for a step.
         JOIN contacts c ON c.id = e.contact_id AND c.organisation_id = e.organisation_id`,
      [
        organisationId,
        ordered.map((item) => item.enrollmentId),
        ordered.map((item) => item.revision),
        now,
      ],
    );
  }

  private triggerOf(enrollment: EnrollmentRow): Record<string, unknown> {
    const { trigger_ciphertext: ciphertext, trigger_wrapped_key: wrappedKey } = enrollment;
    const sealed =
      ciphertext && wrappedKey && enrollment.trigger_key_id
        ? { ciphertext, wrappedKey, keyId: enrollment.trigger_key_id }
        : null;
    return openTrigger(this.cipher, enrollment.organisation_id, enrollment.id, sealed);
  }

  private logTransition(enrollment: EnrollmentRow, stepId: string, transition: Transition): void {
    this.logger.log(
      {
        organisationId: enrollment.organisation_id,
        workflowId: enrollment.workflow_id,
        enrollmentId: enrollment.id,
        stepId,
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
    ...(transition.send ? { send: transition.send } : {}),
  };
}
