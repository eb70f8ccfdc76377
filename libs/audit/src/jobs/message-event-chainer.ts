import { Injectable } from '@nestjs/common';
import { type AuditEntry } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { ChainedAuditLog } from '../chain/chained-audit-log';

interface QueuedEvent {
  event_id: string;
  organisation_id: string;
  message_id: string | null;
  recipient_id: string | null;
  type: string | null;
  created_at: Date | null;
}

// Outcomes of delivery that count as failures in the audit record.
const FAILURE_EVENTS = new Set(['failed', 'bounced', 'deferred']);

/** The delivery pipeline and the tracking and portal endpoints act as Sealpost itself. */
const MESSAGE_EVENTS_ACTOR = { type: 'system', id: 'message-events' } as const;

/**
 * Chains the message events that the message_events trigger queued. One transaction takes a
 * batch (SKIP LOCKED, so several workers split the queue), appends it per organisation (in
 * organisation id order, so two chainers never wait on each other's heads in a cycle) and
 * removes it from the queue: an event is chained exactly once.
 */
@Injectable()
export class MessageEventChainer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly auditLog: ChainedAuditLog,
  ) {}

  /** Chains up to `limit` queued events; returns how many. */
  async chainBatch(limit = 1000): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const events = await tx.query<QueuedEvent[]>(
        `WITH taken AS (
           DELETE FROM audit_event_queue WHERE event_id IN (
             SELECT event_id FROM audit_event_queue ORDER BY event_id
              LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING event_id, organisation_id)
         SELECT t.event_id, t.organisation_id, e.message_id, e.recipient_id, e.type, e.created_at
           FROM taken t LEFT JOIN message_events e ON e.id = t.event_id
          ORDER BY t.organisation_id, t.event_id`,
        [limit],
      );
      const byOrganisation = new Map<string, AuditEntry[]>();
      for (const event of events) {
        const entries = byOrganisation.get(event.organisation_id) ?? [];
        entries.push(entryOf(event));
        byOrganisation.set(event.organisation_id, entries);
      }
      for (const [organisationId, entries] of byOrganisation) {
        await this.auditLog.appendAll(tx, organisationId, entries);
      }
      return events.length;
    });
  }
}

function entryOf(event: QueuedEvent): AuditEntry {
  // A message deleted before its events were chained (its rows cascade) still leaves a trace.
  if (!event.type || !event.message_id || !event.created_at) {
    return {
      organisationId: event.organisation_id,
      actor: MESSAGE_EVENTS_ACTOR,
      action: 'message_event.lost',
      target: { type: 'message_event', id: event.event_id },
    };
  }
  const type = event.type.includes('.') ? event.type : `message.${event.type}`;
  return {
    organisationId: event.organisation_id,
    actor: MESSAGE_EVENTS_ACTOR,
    action: type,
    target: { type: 'message', id: event.message_id },
    outcome: FAILURE_EVENTS.has(event.type) ? 'failure' : 'success',
    details: {
      eventId: event.event_id,
      recipientId: event.recipient_id,
      occurredAt: event.created_at.toISOString(),
    },
  };
}
