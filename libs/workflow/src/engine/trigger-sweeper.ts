import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../scheduling/clock';

/**
 * Triggers found in data rather than pushed: contacts who joined a list, and contacts whose
 * date field (a check-up, a birthday) arrived at the trigger's local time in their own zone.
 * Each counts from when the workflow's current version was published, so publishing a
 * trigger does not sweep in everyone who joined or reached the date long before. The
 * enrollments' unique key keeps every contact to one entry per workflow.
 */
@Injectable()
export class TriggerSweeper {
  private readonly logger = new Logger(TriggerSweeper.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Returns how many contacts it enrolled. */
  async sweepOnce(): Promise<number> {
    const now = this.clock.now();
    const joined = await this.dataSource.query<unknown[]>(
      `INSERT INTO workflow_enrollments (id, organisation_id, workflow_id, version, contact_id,
         state, current_step, due_at, visited)
       SELECT gen_random_uuid(), w.organisation_id, w.id, w.current_version, m.contact_id,
              'active', v.definition ->> 'start', $1, ARRAY[v.definition ->> 'start']
         FROM workflows w
         JOIN workflow_versions v ON v.workflow_id = w.id AND v.version = w.current_version
        CROSS JOIN LATERAL jsonb_array_elements(v.definition -> 'triggers') t
         JOIN contact_list_members m
           ON m.organisation_id = w.organisation_id AND m.list_id::text = t ->> 'listId'
          AND m.added_at >= v.created_at
        WHERE w.status = 'active' AND t ->> 'type' = 'list_joined'
          AND NOT EXISTS (SELECT 1 FROM workflow_enrollments e
                           WHERE e.workflow_id = w.id AND e.contact_id = m.contact_id)
       ON CONFLICT (workflow_id, contact_id, journey_key) DO NOTHING
       RETURNING id`,
      [now],
    );
    const milestones = await this.dataSource.query<unknown[]>(
      `INSERT INTO workflow_enrollments (id, organisation_id, workflow_id, version, contact_id,
         state, current_step, due_at, visited)
       SELECT gen_random_uuid(), w.organisation_id, w.id, w.current_version, c.id,
              'active', v.definition ->> 'start', $1, ARRAY[v.definition ->> 'start']
         FROM workflows w
         JOIN workflow_versions v ON v.workflow_id = w.id AND v.version = w.current_version
        CROSS JOIN LATERAL jsonb_array_elements(v.definition -> 'triggers') t
         JOIN contacts c ON c.organisation_id = w.organisation_id
          AND c.fields ->> (t ->> 'field') ~ '^\\d{4}-\\d{2}-\\d{2}'
          AND c.time_zone IN (SELECT name FROM pg_timezone_names)
         CROSS JOIN LATERAL (SELECT (left(c.fields ->> (t ->> 'field'), 10)::date
                                     + (t ->> 'at')::time) AT TIME ZONE c.time_zone AS at) d
        WHERE w.status = 'active' AND t ->> 'type' = 'date_milestone'
          AND d.at BETWEEN v.created_at AND $1
          AND NOT EXISTS (SELECT 1 FROM workflow_enrollments e
                           WHERE e.workflow_id = w.id AND e.contact_id = c.id)
       ON CONFLICT (workflow_id, contact_id, journey_key) DO NOTHING
       RETURNING id`,
      [now],
    );
    const enrolled = joined.length + milestones.length;
    if (enrolled) {
      this.logger.log(
        { listJoined: joined.length, dateMilestones: milestones.length },
        'trigger sweep enrolled contacts',
      );
    }
    return enrolled;
  }
}
