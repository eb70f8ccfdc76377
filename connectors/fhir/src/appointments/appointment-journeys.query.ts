import { Injectable } from '@nestjs/common';
import { ErrorCode, SealpostError } from '@sealpost/core';
import { DataSource } from 'typeorm';

/** One enrollment an appointment started, as its history shows it. */
export interface AppointmentJourneyView {
  enrollmentId: string;
  contactId: string;
  workflowId: string;
  state: string;
  /** `appointment_cancelled`, `appointment_rescheduled`, `completed`, … once it ended. */
  endedReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AppointmentView {
  /** `Appointment/<id>` in the EHR. */
  reference: string;
  status: string;
  updatedAt: string;
  /** Oldest first: a reschedule ends one journey and starts the next. */
  journeys: AppointmentJourneyView[];
}

interface Row {
  appointment_id: string;
  status: string;
  updated_at: Date;
  journeys: AppointmentJourneyView[];
}

const MAX_PAGE = 100;

/** The appointments a connection has applied and the journeys each one started or ended. */
@Injectable()
export class AppointmentJourneysQuery {
  constructor(private readonly dataSource: DataSource) {}

  async list(
    organisationId: string,
    connectionId: string,
    page: { after?: string; limit?: number } = {},
  ): Promise<{ data: AppointmentView[]; nextCursor: string | null }> {
    const [connection] = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM fhir_connections WHERE organisation_id = $1 AND id = $2`,
      [organisationId, connectionId],
    );
    if (!connection) {
      throw new SealpostError(ErrorCode.NotFound, 'No such FHIR connection.');
    }
    const limit = Math.min(Math.max(page.limit ?? 50, 1), MAX_PAGE);
    // Journey keys are fhir:<connection>:Appointment/<id>:<generation>; ids hold only
    // letters, digits, '-' and '.', so the prefix needs no LIKE escaping.
    const rows = await this.dataSource.query<Row[]>(
      `SELECT a.appointment_id, a.status, a.updated_at,
              COALESCE(json_agg(json_build_object(
                'enrollmentId', e.id, 'contactId', e.contact_id, 'workflowId', e.workflow_id,
                'state', e.state, 'endedReason', e.ended_reason,
                'createdAt', to_char(e.created_at AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'updatedAt', to_char(e.updated_at AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                ORDER BY e.created_at, e.id) FILTER (WHERE e.id IS NOT NULL), '[]') AS journeys
         FROM fhir_appointments a
         LEFT JOIN workflow_enrollments e
           ON e.organisation_id = a.organisation_id
          AND e.journey_key LIKE 'fhir:' || a.connection_id || ':Appointment/'
                                 || a.appointment_id || ':%'
        WHERE a.organisation_id = $1 AND a.connection_id = $2 AND a.status <> ''
          AND a.appointment_id > $3
        GROUP BY a.connection_id, a.appointment_id
        ORDER BY a.appointment_id LIMIT $4`,
      [organisationId, connectionId, page.after ?? '', limit + 1],
    );
    const data = rows.slice(0, limit).map((row) => ({
      reference: `Appointment/${row.appointment_id}`,
      status: row.status,
      updatedAt: row.updated_at.toISOString(),
      journeys: row.journeys,
    }));
    const nextCursor = rows.length > limit ? rows[limit - 1].appointment_id : null;
    return { data, nextCursor };
  }
}
