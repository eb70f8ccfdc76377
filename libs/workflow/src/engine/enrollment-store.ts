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
       ON CONFLICT (workflow_id, contact_id, journey_key) DO NOTHING
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

  /**
   * One contact with the data of the event that triggered it; null when already enrolled.
   * With a `journeyKey` (an EHR appointment), the contact may hold one journey per key.
   */
  async enrollTriggered(
    manager: EntityManager,
    batch: Omit<NewEnrollments, 'contactIds'> & {
      contactId: string;
      trigger: TriggerData;
      journeyKey?: string;
    },
  ): Promise<string | null> {
    const id = randomUUID();
    const sealed = sealTrigger(this.cipher, batch.organisationId, id, batch.trigger);
    const rows = await manager.query<{ id: string }[]>(
      `INSERT INTO workflow_enrollments (id, organisation_id, workflow_id, version, contact_id,
         state, current_step, due_at, visited, trigger_ciphertext, trigger_wrapped_key,
         trigger_key_id, journey_key)
       SELECT $1, $2, $3, $4, c.id, 'active', $5, $6, ARRAY[$5], $8, $9, $10, $11
         FROM contacts c WHERE c.organisation_id = $2 AND c.id = $7
       ON CONFLICT (workflow_id, contact_id, journey_key) DO NOTHING
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
        batch.journeyKey ?? null,
      ],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Writes what a batch's chains did: every step's run (once per enrollment, step and
   * visit) and each enrollment's state after its last step, in two statements. The revision
   * guard makes a second writer of the same steps a no-op.
   */
  async record(manager: EntityManager, organisationId: string, chains: ChainRecord[]) {
    const runs = chains.flatMap((chain) =>
      chain.runs.map((run) => ({ ...run, enrollment: chain.after })),
    );
    if (runs.length) {
      await manager.query(
        `INSERT INTO workflow_step_runs (organisation_id, enrollment_id, step_id, visit,
           workflow_id, version, outcome, message_id, created_at)
         SELECT $1, r.enrollment_id, r.step_id, r.visit, r.workflow_id, r.version, r.outcome,
                r.message_id,
                -- One statement writes a chain's steps; a microsecond apiece keeps the order
                -- they were taken in readable from created_at.
                date_trunc('milliseconds', clock_timestamp()) + r.n * interval '1 microsecond'
           FROM unnest($2::uuid[], $3::text[], $4::int[], $5::uuid[], $6::int[], $7::text[],
                       $8::uuid[]) WITH ORDINALITY
             AS r(enrollment_id, step_id, visit, workflow_id, version, outcome, message_id, n)
         ON CONFLICT (enrollment_id, step_id, visit) DO NOTHING`,
        [
          organisationId,
          runs.map((run) => run.enrollment.id),
          runs.map((run) => run.stepId),
          runs.map((run) => run.visit),
          runs.map((run) => run.enrollment.workflow_id),
          runs.map((run) => run.enrollment.version),
          runs.map((run) => run.outcome),
          runs.map((run) => run.messageId),
        ],
      );
    }
    if (!chains.length) {
      return;
    }
    const after = chains.map((chain) => chain.after);
    await manager.query(
      `UPDATE workflow_enrollments e SET current_step = v.current_step, state = v.state,
         due_at = v.due_at, wait_started_at = v.wait_started_at,
         wait_timeout_at = v.wait_timeout_at,
         visited = ARRAY(SELECT jsonb_array_elements_text(v.visited)),
         ended_reason = COALESCE(v.ended_reason, e.ended_reason), revision = v.revision,
         enqueued_at = NULL, updated_at = now()
         FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::timestamptz[],
                     $7::timestamptz[], $8::timestamptz[], $9::jsonb[], $10::text[], $11::int[])
           AS v(id, from_revision, current_step, state, due_at, wait_started_at,
                wait_timeout_at, visited, ended_reason, revision)
        -- The ids again as an array, so the rows are found by primary key.
        WHERE e.id = ANY($2::uuid[]) AND e.id = v.id AND e.organisation_id = $1
          AND e.revision = v.from_revision`,
      [
        organisationId,
        after.map((row) => row.id),
        chains.map((chain) => chain.fromRevision),
        after.map((row) => row.current_step),
        after.map((row) => row.state),
        after.map((row) => row.due_at),
        after.map((row) => row.wait_started_at),
        after.map((row) => row.wait_timeout_at),
        after.map((row) => JSON.stringify(row.visited)),
        after.map((row) => row.ended_reason),
        after.map((row) => row.revision),
      ],
    );
  }
}

/** One step's run, as workflow_step_runs records it. */
export interface StepRunRecord {
  stepId: string;
  visit: number;
  outcome: string;
  messageId: string | null;
}

/** An enrollment's chain of steps in one job: where it started and where it stands now. */
export interface ChainRecord {
  fromRevision: number;
  after: EnrollmentRow & { ended_reason: string | null };
  runs: StepRunRecord[];
}

/**
 * The enrollment after `transition`, as the row will read once written: the same rules the
 * engine has always applied, so a chain runs on in memory without re-reading its row.
 */
export function advance<T extends EnrollmentRow & { ended_reason: string | null }>(
  row: T,
  transition: Transition,
  now: Date,
): T {
  const revision = row.revision + 1;
  switch (transition.kind) {
    case 'move':
      return {
        ...row,
        current_step: transition.next,
        state: 'active',
        due_at: now,
        wait_started_at: null,
        wait_timeout_at: null,
        visited: [...row.visited, transition.next],
        revision,
      };
    case 'wait':
      return {
        ...row,
        state: 'waiting',
        due_at: transition.dueAt,
        wait_started_at: row.wait_started_at ?? now,
        wait_timeout_at: transition.waitEndsAt,
        revision,
      };
    case 'end':
      return {
        ...row,
        state: transition.state,
        ended_reason: transition.reason,
        due_at: null,
        wait_started_at: null,
        wait_timeout_at: null,
        revision,
      };
  }
}
