import { Injectable } from '@nestjs/common';
import { type EngagementEvent, EngagementSink } from '@sealpost/messaging';
import { DataSource } from 'typeorm';
import { Clock } from '../scheduling/clock';

/**
 * Wakes the enrollment whose email was opened or clicked, if it is waiting: it becomes due
 * now, and the runner checks from message_events whether its awaited event happened. A
 * lost wake-up only delays the contact to its timeout, when the same check runs.
 */
@Injectable()
export class WorkflowEngagementSink extends EngagementSink {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    super();
  }

  async record(event: EngagementEvent): Promise<void> {
    await this.dataSource.query(
      `UPDATE workflow_enrollments e SET due_at = $3, enqueued_at = NULL
         FROM messages m
        WHERE m.organisation_id = $1 AND m.id = $2 AND m.metadata ? 'enrollmentId'
          AND e.organisation_id = $1 AND e.id::text = m.metadata ->> 'enrollmentId'
          AND e.state = 'waiting' AND e.due_at > $3`,
      [event.organisationId, event.messageId, this.clock.now()],
    );
  }
}
