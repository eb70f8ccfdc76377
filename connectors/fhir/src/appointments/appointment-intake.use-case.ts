import { Injectable, Logger } from '@nestjs/common';
import { Clock, KeyedJourneys } from '@sealpost/workflow';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type AppointmentFacts,
  appointmentFactsOf,
  BOOKED_STATUSES,
  ENDED_STATUSES,
} from './appointment-facts';
import { type ActiveAppointmentTrigger } from './appointment-trigger';

/** What one Appointment did; counted by the poller and the notification endpoint. */
export type IntakeOutcome =
  'enrolled' | 'rescheduled' | 'cancelled' | 'unchanged' | 'unlinked' | 'ignored';

interface SeenRow {
  fingerprint: string;
  generation: number;
  journeys: number;
}

/** The reason a journey ended, as the enrollment records it. */
export const APPOINTMENT_CANCELLED = 'appointment_cancelled';
export const APPOINTMENT_RESCHEDULED = 'appointment_rescheduled';

/**
 * One Appointment from the EHR (polled or notified) applied to the contacts linked to its
 * patients. The appointment's row is locked while it is applied, so a poll and a notification
 * of the same version enroll once. A new booked appointment starts the trigger's workflow with
 * the appointment as trigger data; a reschedule ends that journey (`appointment_rescheduled`)
 * and starts the next one for the new time, so no reminder for the old time is sent and the
 * journey starts over (first reminder included) for the new one; a cancellation ends it
 * (`appointment_cancelled`). Appointments already over enroll nobody.
 */
@Injectable()
export class AppointmentIntakeUseCase {
  private readonly logger = new Logger(AppointmentIntakeUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly journeys: KeyedJourneys,
    private readonly clock: Clock,
  ) {}

  async execute(trigger: ActiveAppointmentTrigger, resource: unknown): Promise<IntakeOutcome> {
    const facts = appointmentFactsOf(resource);
    if (!facts) {
      return 'ignored';
    }
    const outcome = await this.dataSource.transaction(async (tx) => {
      const contactIds = await this.linkedContacts(tx, trigger.organisationId, facts);
      if (!contactIds.length) {
        return 'unlinked';
      }
      const seen = await this.lockSeen(tx, trigger, facts.id);
      if (seen?.fingerprint === facts.fingerprint) {
        return 'unchanged';
      }
      const next = await this.apply(tx, trigger, facts, contactIds, seen);
      await tx.query(
        `INSERT INTO fhir_appointments (connection_id, appointment_id, organisation_id,
           fingerprint, status, generation, journeys)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (connection_id, appointment_id) DO UPDATE SET
           fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status,
           generation = EXCLUDED.generation, journeys = EXCLUDED.journeys, updated_at = now()`,
        [
          trigger.connectionId,
          facts.id,
          trigger.organisationId,
          facts.fingerprint,
          facts.status,
          next.generation,
          next.journeys,
        ],
      );
      return next.outcome;
    });
    if (outcome !== 'unchanged' && outcome !== 'ignored') {
      this.logger.log(
        {
          organisationId: trigger.organisationId,
          connectionId: trigger.connectionId,
          appointmentId: facts.id,
          outcome,
        },
        'fhir appointment applied',
      );
    }
    return outcome;
  }

  private async apply(
    tx: EntityManager,
    trigger: ActiveAppointmentTrigger,
    facts: AppointmentFacts,
    contactIds: string[],
    seen: SeenRow | undefined,
  ): Promise<SeenRow & { outcome: IntakeOutcome }> {
    const generation = seen?.generation ?? 0;
    const running = (seen?.journeys ?? 0) > 0;
    const key = (at: number) => `fhir:${trigger.connectionId}:Appointment/${facts.id}:${at}`;

    if (ENDED_STATUSES.includes(facts.status)) {
      if (running) {
        await this.journeys.end(tx, trigger.organisationId, key(generation), APPOINTMENT_CANCELLED);
      }
      return {
        fingerprint: facts.fingerprint,
        generation: running ? generation + 1 : generation,
        journeys: 0,
        outcome: running ? 'cancelled' : 'ignored',
      };
    }
    const upcoming = facts.start !== null && Date.parse(facts.start) > this.clock.now().getTime();
    if (!BOOKED_STATUSES.includes(facts.status) || !upcoming) {
      // Checked in, fulfilled, proposed, or already past: a reminder journey keeps going.
      return {
        fingerprint: facts.fingerprint,
        generation,
        journeys: seen?.journeys ?? 0,
        outcome: 'ignored',
      };
    }
    let current = generation;
    if (running) {
      await this.journeys.end(tx, trigger.organisationId, key(generation), APPOINTMENT_RESCHEDULED);
      current += 1;
    }
    const started = await this.journeys.start(tx, {
      organisationId: trigger.organisationId,
      workflowId: trigger.workflowId,
      contactIds,
      journeyKey: key(current),
      trigger: {
        appointment: {
          id: facts.id,
          reference: `Appointment/${facts.id}`,
          status: facts.status,
          start: facts.start,
          end: facts.end,
        },
        fhirBasedOn: `Appointment/${facts.id}`,
      },
    });
    return {
      fingerprint: facts.fingerprint,
      generation: current,
      journeys: started.length,
      outcome: running ? 'rescheduled' : started.length ? 'enrolled' : 'ignored',
    };
  }

  /** Contacts linked to any of the appointment's patients (`Patient/123` or a bare `123`). */
  private async linkedContacts(
    tx: EntityManager,
    organisationId: string,
    facts: AppointmentFacts,
  ): Promise<string[]> {
    if (!facts.patientIds.length) {
      return [];
    }
    const refs = facts.patientIds.flatMap((id) => [`Patient/${id}`, id]);
    const rows = await tx.query<{ id: string }[]>(
      `SELECT id FROM contacts WHERE organisation_id = $1 AND ehr_patient_ref = ANY($2::text[])
        ORDER BY id`,
      [organisationId, refs],
    );
    return rows.map((row) => row.id);
  }

  /** The appointment's row, locked; a first sighting inserts a placeholder to lock. */
  private async lockSeen(
    tx: EntityManager,
    trigger: ActiveAppointmentTrigger,
    appointmentId: string,
  ): Promise<SeenRow | undefined> {
    await tx.query(
      `INSERT INTO fhir_appointments (connection_id, appointment_id, organisation_id,
         fingerprint, status)
       VALUES ($1, $2, $3, '', '') ON CONFLICT DO NOTHING`,
      [trigger.connectionId, appointmentId, trigger.organisationId],
    );
    const [row] = await tx.query<(SeenRow & { status: string })[]>(
      `SELECT fingerprint, generation, journeys, status FROM fhir_appointments
        WHERE connection_id = $1 AND appointment_id = $2 AND organisation_id = $3 FOR UPDATE`,
      [trigger.connectionId, appointmentId, trigger.organisationId],
    );
    // The placeholder (empty status) stands for "never seen".
    return row && row.status !== '' ? row : undefined;
  }
}
