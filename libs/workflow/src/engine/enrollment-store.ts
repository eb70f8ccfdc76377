import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EnvelopeCipher } from '@sealpost/core';
import { type EntityManager } from 'typeorm';
import { type EnrollmentRow, type Transition } from './transition';
import { sealTrigger, type TriggerData } from './trigger-data';

export interface NewEnrollments {
  organisationId: string;
  workflowId: string;
  version: number;
  startStep: string;
  contactIds: string[];
  dueAt: Date;
}

/** Writes enrollments: new ones, and each step's transition with its step run. */
@Injectable()
export class EnrollmentStore {
  constructor(private readonly cipher: EnvelopeCipher) {}

  /**
   * Enrolls the organisation's contacts among `contactIds` at the start step. A contact
   * with any enrollment in this workflow, finished or not, is skipped: no re-entry.
   */
  async enroll(
    manager: EntityManager,
    batch: NewEnrollments,
  ): Promise<{ id: string; contact_id: string }[]> {
    return manager.query(
      `INSERT INTO workflow_enrollments (id, organisation_id, workflow_id, version, contact_id,
         state, current_step, due_at, visited)
       SELECT gen_random_uuid(), $1, $2, $3, c.id, 'active', $4, $5, ARRAY[$4]
         FROM contacts c WHERE c.organisation_id = $1 AND c.id = ANY($6::uuid[])
       ON CONFLICT (workflow_id, contact_id) DO NOTHING
       RETURNING id, contact_id`,
      [
        batch.organisationId,
        batch.workflowId,
        batch.version,
        batch.startStep,
        batch.dueAt,
        batch.contactIds,
      ],
    );
  }

  /** One contact with the data of the event that triggered it; null when already enrolled. */
  async enrollTriggered(
    manager: EntityManager,
    batch: Omit<NewEnrollments, 'contactIds'> & { contactId: string; trigger: TriggerData },
  ): Promise<string | null> {
    const id = randomUUID();
    const sealed = sealTrigger(this.cipher, batch.organisationId, id, batch.trigger);
    const rows = await manager.query<{ id: string }[]>(
      `INSERT INTO workflow_enrollments (id, organisation_id, workflow_id, version, contact_id,
         state, current_step, due_at, visited, trigger_ciphertext, trigger_wrapped_key,
         trigger_key_id)
       SELECT $1, $2, $3, $4, c.id, 'active', $5, $6, ARRAY[$5], $8, $9, $10
         FROM contacts c WHERE c.organisation_id = $2 AND c.id = $7
       ON CONFLICT (workflow_id, contact_id) DO NOTHING
       RETURNING id`,
      [
        id,
        batch.organisationId,
        batch.workflowId,
        batch.version,
        batch.startStep,
        batch.dueAt,
        batch.contactId,
        sealed.ciphertext,
        sealed.wrappedKey,
        sealed.keyId,
      ],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Records the step's run (once per enrollment, step and visit) and moves the enrollment
   * on. The revision guard makes a second writer of the same step a no-op.
   */
  async apply(
    manager: EntityManager,
    enrollment: EnrollmentRow,
    visit: number,
    transition: Transition,
    now: Date,
  ): Promise<void> {
    if (transition.kind !== 'wait') {
      await manager.query(
        `INSERT INTO workflow_step_runs (organisation_id, enrollment_id, step_id, visit,
           workflow_id, version, outcome, message_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (enrollment_id, step_id, visit) DO NOTHING`,
        [
          enrollment.organisation_id,
          enrollment.id,
          enrollment.current_step,
          visit,
          enrollment.workflow_id,
          enrollment.version,
          transition.outcome,
          transition.messageId ?? null,
        ],
      );
    }
    const guard = `WHERE organisation_id = $1 AND id = $2 AND revision = $3`;
    const key = [enrollment.organisation_id, enrollment.id, enrollment.revision];
    switch (transition.kind) {
      case 'move':
        await manager.query(
          `UPDATE workflow_enrollments SET current_step = $4, state = 'active', due_at = $5,
             wait_started_at = NULL, wait_timeout_at = NULL, visited = visited || $4::text,
             revision = revision + 1, enqueued_at = NULL, updated_at = now() ${guard}`,
          [...key, transition.next, now],
        );
        return;
      case 'wait':
        await manager.query(
          `UPDATE workflow_enrollments SET state = 'waiting', due_at = $4,
             wait_started_at = COALESCE(wait_started_at, $5), wait_timeout_at = $6,
             revision = revision + 1, enqueued_at = NULL, updated_at = now() ${guard}`,
          [...key, transition.dueAt, now, transition.waitEndsAt],
        );
        return;
      case 'end':
        await manager.query(
          `UPDATE workflow_enrollments SET state = $4, ended_reason = $5, due_at = NULL,
             wait_started_at = NULL, wait_timeout_at = NULL, revision = revision + 1,
             enqueued_at = NULL, updated_at = now() ${guard}`,
          [...key, transition.state, transition.reason],
        );
        return;
    }
  }
}
