import { randomInt } from 'node:crypto';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { AuditLog, EnvelopeCipher, requireAuditLog } from '@sealpost/core';
import { Clock } from '@sealpost/encryption';
import { DataSource } from 'typeorm';
import { secretContext } from './webhook-endpoints.service';
import { type SendResult, WebhookHttpSender } from './webhook-http-sender';
import { type WebhookJob } from './webhook-job';
import { buildWebhookPayload, type WebhookEventRow, webhookMessageId } from './webhook-payload';
import {
  nextAttemptDelayMs,
  parseRetryAfter,
  WEBHOOK_MAX_ATTEMPTS,
} from './webhook-retry-schedule';
import { signWebhook } from './webhook-signer';
import { WebhookUrlGuard } from './webhook-url-guard';

// While an attempt runs its delivery is not due: if the worker dies mid-request, the
// delivery becomes due again after this, and the dispatcher hands it out once more.
const ATTEMPT_LEASE_MS = 5 * 60 * 1000;

interface ClaimedRow extends WebhookEventRow {
  delivery_id: string;
  attempts: number;
  endpoint_id: string;
  url: string;
  enabled: boolean;
  secret_ciphertext: Buffer;
  secret_wrapped_key: Buffer;
  secret_key_id: string;
  previous_secret_ciphertext: Buffer | null;
  previous_secret_wrapped_key: Buffer | null;
  previous_secret_key_id: string | null;
  previous_secret_expires_at: Date | null;
}

export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed';

interface AttemptResult {
  outcome: AttemptOutcome;
  statusCode: number | null;
  error: string | null;
  nextAttemptAt: Date | null;
  disableReason: string | null;
}

/** Disabling an endpoint is an admin-visible change, so Sealpost audits it as its own actor. */
const WEBHOOKS_ACTOR = { type: 'system', id: 'webhooks' } as const;

/**
 * One attempt of one delivery: claim it (attempts + 1, leased), sign the payload with the
 * current secret and any still in its rotation window, POST it to the checked address, then
 * record the attempt and decide: done, retry at the scheduled time (or later when the
 * receiver's Retry-After says so), or give up. A 410 or the last failed attempt disables the
 * endpoint with its reason.
 */
@Injectable()
export class DeliverWebhookUseCase {
  private readonly logger = new Logger(DeliverWebhookUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    private readonly urlGuard: WebhookUrlGuard,
    private readonly sender: WebhookHttpSender,
    private readonly clock: Clock,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  /** Returns the attempt's outcome, or null when there was nothing due to attempt. */
  async execute(job: WebhookJob): Promise<AttemptOutcome | null> {
    const claimed = await this.claim(job);
    if (!claimed) {
      return null;
    }
    const ids = {
      organisationId: job.organisationId,
      endpointId: claimed.endpoint_id,
      deliveryId: claimed.delivery_id,
      attempt: claimed.attempts,
    };
    if (!claimed.enabled) {
      await this.dataSource.query(
        `UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint_disabled',
                enqueued_at = NULL, completed_at = $3
          WHERE id = $1 AND organisation_id = $2`,
        [claimed.delivery_id, job.organisationId, this.clock.now()],
      );
      this.logger.log(ids, 'webhook skipped: endpoint disabled');
      return 'failed';
    }

    const startedAt = this.clock.now();
    const started = performance.now();
    const result = await this.attempt(claimed);
    const durationMs = Math.round(performance.now() - started);
    await this.record(job.organisationId, claimed, result, startedAt, durationMs);
    this.logger.log(
      { ...ids, statusCode: result.statusCode, outcome: result.outcome, error: result.error },
      'webhook attempt recorded',
    );
    if (result.disableReason) {
      this.logger.warn({ ...ids, reason: result.disableReason }, 'webhook endpoint disabled');
    }
    return result.outcome;
  }

  private async claim(job: WebhookJob): Promise<ClaimedRow | null> {
    const now = this.clock.now();
    const rows = await this.dataSource.query<ClaimedRow[]>(
      `WITH claimed AS (
         UPDATE webhook_deliveries
            SET attempts = attempts + 1, next_attempt_at = $4
          WHERE id = $1 AND organisation_id = $2 AND status = 'pending'
            AND next_attempt_at <= $3
          RETURNING id, endpoint_id, event_id, attempts)
       SELECT c.id AS delivery_id, c.attempts, c.endpoint_id, w.url, w.enabled,
              w.secret_ciphertext, w.secret_wrapped_key, w.secret_key_id,
              w.previous_secret_ciphertext, w.previous_secret_wrapped_key,
              w.previous_secret_key_id, w.previous_secret_expires_at,
              e.id, e.organisation_id, e.message_id, e.recipient_id, e.type, e.data, e.created_at
         FROM claimed c
         JOIN webhook_endpoints w ON w.id = c.endpoint_id AND w.organisation_id = $2
         JOIN message_events e ON e.id = c.event_id AND e.organisation_id = $2`,
      [job.deliveryId, job.organisationId, now, new Date(now.getTime() + ATTEMPT_LEASE_MS)],
    );
    return rows[0] ?? null;
  }

  private async attempt(claimed: ClaimedRow): Promise<AttemptResult> {
    const check = await this.urlGuard.check(claimed.url);
    const body = JSON.stringify(buildWebhookPayload(claimed));
    const sent: SendResult = check.allowed
      ? await this.sender.send({
          url: check.url,
          addresses: check.addresses,
          headers: { ...this.sign(claimed, body) },
          body,
        })
      : { kind: 'error', error: 'connection_failed' };
    const error = check.allowed ? (sent.kind === 'error' ? sent.error : null) : 'url_not_allowed';
    const statusCode = sent.kind === 'response' ? sent.statusCode : null;

    if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
      return {
        outcome: 'succeeded',
        statusCode,
        error: null,
        nextAttemptAt: null,
        disableReason: null,
      };
    }
    if (statusCode === 410) {
      return {
        outcome: 'failed',
        statusCode,
        error: 'gone',
        nextAttemptAt: null,
        disableReason: 'the endpoint answered 410 Gone',
      };
    }

    const now = this.clock.now();
    const retryAfter =
      sent.kind === 'response'
        ? parseRetryAfter(headerValue(sent.headers['retry-after']), now)
        : undefined;
    const delay = nextAttemptDelayMs(claimed.attempts, randomUnit, retryAfter);
    if (delay === null) {
      const last = statusCode !== null ? `HTTP ${statusCode}` : (error ?? 'no answer');
      return {
        outcome: 'failed',
        statusCode,
        error: error ?? `http_${statusCode}`,
        nextAttemptAt: null,
        disableReason: `all ${WEBHOOK_MAX_ATTEMPTS} attempts failed; the last: ${last}`,
      };
    }
    return {
      outcome: 'retrying',
      statusCode,
      error: error ?? `http_${statusCode}`,
      nextAttemptAt: new Date(now.getTime() + delay),
      disableReason: null,
    };
  }

  private sign(claimed: ClaimedRow, body: string): ReturnType<typeof signWebhook> {
    const now = this.clock.now();
    const context = secretContext(claimed.organisation_id, claimed.endpoint_id);
    const secrets = [
      this.cipher.open(
        {
          ciphertext: claimed.secret_ciphertext,
          wrappedKey: claimed.secret_wrapped_key,
          keyId: claimed.secret_key_id,
        },
        context,
      ),
    ];
    if (
      claimed.previous_secret_ciphertext &&
      claimed.previous_secret_wrapped_key &&
      claimed.previous_secret_key_id &&
      claimed.previous_secret_expires_at &&
      new Date(claimed.previous_secret_expires_at) > now
    ) {
      secrets.push(
        this.cipher.open(
          {
            ciphertext: claimed.previous_secret_ciphertext,
            wrappedKey: claimed.previous_secret_wrapped_key,
            keyId: claimed.previous_secret_key_id,
          },
          context,
        ),
      );
    }
    return signWebhook(
      webhookMessageId(claimed.id),
      Math.floor(now.getTime() / 1000),
      body,
      secrets.map((secret) => secret.toString('utf8')),
    );
  }

  /** The attempt row, the delivery's new state and any disabling, in one transaction. */
  private async record(
    organisationId: string,
    claimed: ClaimedRow,
    result: AttemptResult,
    attemptedAt: Date,
    durationMs: number,
  ): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO webhook_attempts (organisation_id, endpoint_id, delivery_id, attempt,
           attempted_at, status_code, outcome, error, duration_ms, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          organisationId,
          claimed.endpoint_id,
          claimed.delivery_id,
          claimed.attempts,
          attemptedAt,
          result.statusCode,
          result.outcome,
          result.error,
          durationMs,
          result.nextAttemptAt,
        ],
      );
      await manager.query(
        `UPDATE webhook_deliveries
            SET status = $3, next_attempt_at = coalesce($4, next_attempt_at), enqueued_at = NULL,
                last_status_code = $5, last_error = $6,
                completed_at = CASE WHEN $3 = 'pending' THEN NULL ELSE $7::timestamptz END
          WHERE id = $1 AND organisation_id = $2`,
        [
          claimed.delivery_id,
          organisationId,
          result.outcome === 'retrying' ? 'pending' : result.outcome,
          result.nextAttemptAt,
          result.statusCode,
          result.error,
          now,
        ],
      );
      if (result.disableReason) {
        await requireAuditLog(this.audit).append(manager, {
          organisationId,
          actor: WEBHOOKS_ACTOR,
          action: 'webhook_endpoint.disabled',
          target: { type: 'webhook_endpoint', id: claimed.endpoint_id },
          details: { reason: result.error, attempts: claimed.attempts },
        });
        await manager.query(
          `UPDATE webhook_endpoints
              SET enabled = false, disabled_reason = $3, disabled_at = $4, updated_at = now()
            WHERE id = $1 AND organisation_id = $2`,
          [claimed.endpoint_id, organisationId, result.disableReason, now],
        );
      }
    });
  }
}

function randomUnit(): number {
  return randomInt(0, 1_000_000) / 1_000_000;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
