import { Injectable, Logger, Optional } from '@nestjs/common';
import {
  apiKeyActor,
  AuditLog,
  type AuthContext,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { Clock } from '@sealpost/encryption';
import { DataSource } from 'typeorm';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { webhookMessageNotFound } from './webhook-errors';
import { WEBHOOK_CHANNEL } from './webhook-job';
import { eventIdOfMessageId, webhookMessageId } from './webhook-payload';

export interface WebhookAttemptView {
  id: string;
  messageId: string;
  eventType: string;
  attempt: number;
  attemptedAt: string;
  statusCode: number | null;
  outcome: 'succeeded' | 'retrying' | 'failed';
  error: string | null;
  durationMs: number;
  nextAttemptAt: string | null;
}

interface AttemptRow {
  id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  attempted_at: Date;
  status_code: number | null;
  outcome: WebhookAttemptView['outcome'];
  error: string | null;
  duration_ms: number;
  next_attempt_at: Date | null;
}

export const MAX_ATTEMPTS_PAGE = 200;

/** The attempts log of an endpoint, and replay of one of its messages. */
@Injectable()
export class WebhookAttemptsService {
  private readonly logger = new Logger(WebhookAttemptsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: WebhookEndpointsService,
    private readonly clock: Clock,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  /** Newest first; `before` is the id of the last attempt of the previous page. */
  async list(
    caller: AuthContext,
    endpointId: string,
    limit: number,
    before?: string,
  ): Promise<WebhookAttemptView[]> {
    await this.endpoints.get(caller, endpointId);
    const rows = await this.dataSource.query<AttemptRow[]>(
      `SELECT a.id, d.event_id, d.event_type, a.attempt, a.attempted_at, a.status_code,
              a.outcome, a.error, a.duration_ms, a.next_attempt_at
         FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
        WHERE a.organisation_id = $1 AND a.endpoint_id = $2
          AND ($4::bigint IS NULL OR a.id < $4::bigint)
        ORDER BY a.id DESC LIMIT $3`,
      [caller.organisationId, endpointId, Math.min(limit, MAX_ATTEMPTS_PAGE), before ?? null],
    );
    return rows.map((row) => ({
      id: row.id,
      messageId: webhookMessageId(row.event_id),
      eventType: row.event_type,
      attempt: row.attempt,
      attemptedAt: new Date(row.attempted_at).toISOString(),
      statusCode: row.status_code,
      outcome: row.outcome,
      error: row.error,
      durationMs: row.duration_ms,
      nextAttemptAt: row.next_attempt_at ? new Date(row.next_attempt_at).toISOString() : null,
    }));
  }

  /**
   * Sends a message (an event of this organisation) to this endpoint again, as a fresh
   * delivery with a full retry schedule and the same webhook-id, whether it was delivered,
   * given up on, or never sent here (e.g. it happened before the endpoint subscribed).
   */
  async replay(
    caller: AuthContext,
    endpointId: string,
    messageId: string,
  ): Promise<{ messageId: string; deliveryId: string }> {
    const endpoint = await this.endpoints.get(caller, endpointId);
    const eventId = eventIdOfMessageId(messageId);
    if (!eventId) {
      throw webhookMessageNotFound();
    }
    if (!endpoint.enabled) {
      throw new SealpostError(
        ErrorCode.InvalidState,
        'The endpoint is disabled; enable it before replaying to it.',
      );
    }
    const audit = requireAuditLog(this.audit);
    const deliveryId = await this.dataSource.transaction(async (tx) => {
      const rows = await tx.query<{ id: string }[]>(
        `WITH replayed AS (
         INSERT INTO webhook_deliveries
           (organisation_id, endpoint_id, event_id, event_type, next_attempt_at)
         SELECT w.organisation_id, w.id, e.id,
                CASE WHEN strpos(e.type, '.') > 0 THEN e.type ELSE 'message.' || e.type END, $4
           FROM webhook_endpoints w
           JOIN message_events e ON e.organisation_id = w.organisation_id AND e.id = $3
          WHERE w.organisation_id = $1 AND w.id = $2
         ON CONFLICT (endpoint_id, event_id) DO UPDATE
            SET status = 'pending', attempts = 0, next_attempt_at = $4, enqueued_at = NULL,
                completed_at = NULL, last_error = NULL, last_status_code = NULL
         RETURNING id),
       wake AS (SELECT pg_notify($5, ''))
       SELECT id FROM replayed, wake`,
        [caller.organisationId, endpointId, eventId, this.clock.now(), WEBHOOK_CHANNEL],
      );
      if (!rows[0]) {
        throw webhookMessageNotFound();
      }
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action: 'webhook_endpoint.message_replayed',
        target: { type: 'webhook_endpoint', id: endpointId },
        details: { messageId },
      });
      return rows[0].id;
    });
    this.logger.log(
      { organisationId: caller.organisationId, endpointId, deliveryId },
      'webhook replay queued',
    );
    return { messageId, deliveryId };
  }
}
