import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { Clock } from '../scheduling/clock';
import { EnrollmentStore } from './enrollment-store';
import { type TriggerData } from './trigger-data';

export interface KeyedJourneyStart {
  organisationId: string;
  workflowId: string;
  contactIds: string[];
  /** Names what the journey is about outside Sealpost, e.g. one EHR appointment. */
  journeyKey: string;
  trigger: TriggerData;
}

/**
 * Journeys that belong to something outside Sealpost (an EHR appointment): started once per
 * key and contact, and ended by the key when that thing goes away (a cancellation). The
 * caller passes its transaction, so its own bookkeeping and the journeys commit together.
 */
@Injectable()
export class KeyedJourneys {
  constructor(
    private readonly store: EnrollmentStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Enrolls each contact at the start of the workflow's current version; a contact already
   * holding a journey with this key is left as it is. An archived workflow, or another
   * organisation's, enrolls nobody. Returns the new enrollments' ids.
   */
  async start(manager: EntityManager, journey: KeyedJourneyStart): Promise<string[]> {
    const [workflow] = await manager.query<{ version: number; start: string }[]>(
      `SELECT w.current_version AS version, v.definition ->> 'start' AS start
         FROM workflows w
         JOIN workflow_versions v ON v.workflow_id = w.id AND v.version = w.current_version
        WHERE w.organisation_id = $1 AND w.id = $2 AND w.status <> 'archived'`,
      [journey.organisationId, journey.workflowId],
    );
    if (!workflow) {
      return [];
    }
    const started: string[] = [];
    for (const contactId of journey.contactIds) {
      const id = await this.store.enrollTriggered(manager, {
        organisationId: journey.organisationId,
        workflowId: journey.workflowId,
        version: workflow.version,
        startStep: workflow.start,
        dueAt: this.clock.now(),
        contactId,
        trigger: journey.trigger,
        journeyKey: journey.journeyKey,
      });
      if (id) {
        started.push(id);
      }
    }
    return started;
  }

  /**
   * Ends every journey with this key that is still under way: state `left` with `reason`,
   * nothing more due. The revision moves on, so a job already queued for the old revision
   * does nothing. Returns how many ended.
   */
  async end(
    manager: EntityManager,
    organisationId: string,
    journeyKey: string,
    reason: string,
  ): Promise<number> {
    // An UPDATE answers [rows, count] through TypeORM's pg driver.
    const [, count] = await manager.query<[unknown[], number]>(
      `UPDATE workflow_enrollments SET state = 'left', ended_reason = $3, due_at = NULL,
         wait_started_at = NULL, wait_timeout_at = NULL, enqueued_at = NULL,
         revision = revision + 1, updated_at = now()
        WHERE organisation_id = $1 AND journey_key = $2 AND state IN ('active', 'waiting')`,
      [organisationId, journeyKey, reason],
    );
    return count;
  }
}
