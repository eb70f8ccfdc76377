import { Injectable, Logger } from '@nestjs/common';
import { type AuthContext, ErrorCode, SealpostError } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { Clock } from '../scheduling/clock';
import { EnrollmentStore } from './enrollment-store';
import { type TriggerData } from './trigger-data';

export interface RecordEventCommand {
  /** Any event type the API caller names, such as form_submitted or appointment_booked. */
  type: string;
  contactId?: string;
  email?: string;
  data: TriggerData;
}

export interface RecordedEvent {
  contactId: string;
  /** The workflows this event enrolled the contact in (not those it was in before). */
  enrollments: { workflowId: string; enrollmentId: string }[];
}

/**
 * An event from the API (`POST /v1/events`): enrolls the contact in every active workflow
 * with an event trigger of that type, carrying the event's data for its templates.
 */
@Injectable()
export class RecordEventUseCase {
  private readonly logger = new Logger(RecordEventUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EnrollmentStore,
    private readonly clock: Clock,
  ) {}

  async execute(caller: AuthContext, command: RecordEventCommand): Promise<RecordedEvent> {
    const organisationId = caller.organisationId;
    const contactId = await this.contactIdOf(organisationId, command);

    const workflows = await this.dataSource.query<{ id: string; version: number; start: string }[]>(
      `SELECT w.id, w.current_version AS version, v.definition ->> 'start' AS start
         FROM workflows w
         JOIN workflow_versions v ON v.workflow_id = w.id AND v.version = w.current_version
        WHERE w.organisation_id = $1 AND w.status = 'active'
          AND v.definition -> 'triggers' @> jsonb_build_array(
                jsonb_build_object('type', 'event', 'eventType', $2::text))
        ORDER BY w.priority DESC, w.created_at`,
      [organisationId, command.type],
    );
    const enrollments: RecordedEvent['enrollments'] = [];
    for (const workflow of workflows) {
      const enrollmentId = await this.store.enrollTriggered(this.dataSource.manager, {
        organisationId,
        workflowId: workflow.id,
        version: workflow.version,
        startStep: workflow.start,
        dueAt: this.clock.now(),
        contactId,
        trigger: command.data,
      });
      if (enrollmentId) {
        enrollments.push({ workflowId: workflow.id, enrollmentId });
      }
    }
    this.logger.log(
      { organisationId, contactId, enrolled: enrollments.length },
      'workflow trigger event recorded',
    );
    return { contactId, enrollments };
  }

  private async contactIdOf(organisationId: string, command: RecordEventCommand): Promise<string> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      command.contactId
        ? 'SELECT id FROM contacts WHERE organisation_id = $1 AND id = $2'
        : `SELECT id FROM contacts
            WHERE organisation_id = $1 AND email_normalised = lower(trim($2))`,
      [organisationId, command.contactId ?? command.email],
    );
    if (!rows[0]) {
      throw new SealpostError(ErrorCode.NotFound, 'No contact with that id or email.');
    }
    return rows[0].id;
  }
}
