import { Inject, Injectable } from '@nestjs/common';
import {
  SEALPOST_CONFIG,
  type SealedValue,
  type SealpostConfig,
  preparedStatement,
  queryPrepared,
} from '@sealpost/core';
import { DataSource } from 'typeorm';
import { DeliveryMethod, PENDING_STATUSES, RecipientStatus } from '../messages/message-status';
import { type DeliveryJob } from '../outbox/delivery-job';
import { type DeliveryOutcome } from './delivery-outcome';
import { retryDelaySeconds } from './retry-policy';

export interface ClaimedRecipient {
  messageId: string;
  address: string;
  domain: string;
  attempts: number;
  firstAttemptAt: Date;
  message: { fromAddress: string; createdAt: Date; sealed: SealedValue };
}

/** What the protection planner decided, stored on the recipient for the API and audit. */
export interface RecordedDecision {
  method: string;
  reasons: string[];
  protectionRequired: boolean;
  protectionReasons: string[];
}

interface ClaimRow {
  message_id: string;
  address: string;
  domain: string;
  attempts: number;
  first_attempt_at: Date;
  from_address: string;
  created_at: Date;
  content_ciphertext: Buffer;
  content_wrapped_key: Buffer;
  content_key_id: string;
}

// Every delivery attempt runs these, so they are prepared once per connection.
const CLAIM_RECIPIENT = preparedStatement(
  'delivery_claim',
  `WITH claimed AS (
     UPDATE message_recipients
        SET lease_until = now() + make_interval(secs => $3), attempts = attempts + 1,
            first_attempt_at = coalesce(first_attempt_at, now()), updated_at = now()
      WHERE id = $1 AND organisation_id = $2 AND status = ANY($4::text[])
        AND (lease_until IS NULL OR lease_until < now())
      RETURNING message_id, address, domain, attempts, first_attempt_at)
   SELECT c.*, m.from_address, m.created_at, m.content_ciphertext, m.content_wrapped_key,
          m.content_key_id
     FROM claimed c JOIN messages m ON m.id = c.message_id AND m.organisation_id = $2`,
);

const FINISH_RECIPIENT = preparedStatement(
  'delivery_finish',
  `WITH recipient AS (
     UPDATE message_recipients
        SET status = $3, method = $4, smtp_response = $5, tls_version = $6,
            tls_cipher = $7, last_error = $8, decision = $9, lease_until = NULL,
            updated_at = now(), delivered_at = CASE WHEN $3 = 'delivered' THEN now() END
      WHERE id = $1 AND organisation_id = $2 RETURNING id),
   event AS (
     INSERT INTO message_events (organisation_id, message_id, recipient_id, type, data)
     SELECT $2, $10, id, $3, $11 FROM recipient)
   DELETE FROM outbox WHERE id = $12`,
);

const DEFER_RECIPIENT = preparedStatement(
  'delivery_defer',
  `WITH recipient AS (
     UPDATE message_recipients
        SET status = $3, last_error = $4, smtp_response = $5, decision = $6,
            lease_until = NULL, updated_at = now()
      WHERE id = $1 AND organisation_id = $2 RETURNING id),
   event AS (
     INSERT INTO message_events (organisation_id, message_id, recipient_id, type, data)
     SELECT $2, $7, id, $3, $8 FROM recipient)
   UPDATE outbox SET available_at = $9, enqueued_at = NULL WHERE id = $10`,
);

/**
 * The database side of one delivery attempt: claiming the recipient with a lease, and
 * writing the outcome, its event and the outbox change in one statement.
 */
@Injectable()
export class DeliveryRecorder {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  /**
   * Takes the recipient for this attempt. Null when it is finished or another worker holds a
   * live lease; the lease keeps two workers from sending the same copy at once.
   */
  async claim(job: DeliveryJob): Promise<ClaimedRecipient | null> {
    // The message is read in the same statement: one round trip instead of two.
    const [row] = await queryPrepared<ClaimRow>(this.dataSource, CLAIM_RECIPIENT, [
      job.recipientId,
      job.organisationId,
      this.config.delivery.leaseSeconds,
      PENDING_STATUSES,
    ]);
    if (!row) {
      return null;
    }
    return {
      messageId: row.message_id,
      address: row.address,
      domain: row.domain,
      attempts: row.attempts,
      firstAttemptAt: new Date(row.first_attempt_at),
      message: {
        fromAddress: row.from_address,
        createdAt: new Date(row.created_at),
        sealed: {
          ciphertext: row.content_ciphertext,
          wrappedKey: row.content_wrapped_key,
          keyId: row.content_key_id,
        },
      },
    };
  }

  /** After a failed claim: drop finished work, or come back when the other lease ends. */
  async settleUnclaimed(job: DeliveryJob): Promise<void> {
    await this.dataSource.query(
      `WITH r AS (
         SELECT status, lease_until FROM message_recipients
          WHERE id = $2 AND organisation_id = $3)
       UPDATE outbox SET available_at = (SELECT lease_until FROM r), enqueued_at = NULL
        WHERE id = $1 AND EXISTS (
          SELECT 1 FROM r WHERE status = ANY($4::text[]) AND lease_until >= now())`,
      [job.outboxId, job.recipientId, job.organisationId, PENDING_STATUSES],
    );
    await this.dataSource.query(
      `DELETE FROM outbox WHERE id = $1 AND NOT EXISTS (
         SELECT 1 FROM message_recipients
          WHERE id = $2 AND organisation_id = $3 AND status = ANY($4::text[]))`,
      [job.outboxId, job.recipientId, job.organisationId, PENDING_STATUSES],
    );
  }

  async record(
    job: DeliveryJob,
    claimed: ClaimedRecipient,
    outcome: DeliveryOutcome,
    decision?: RecordedDecision,
  ): Promise<RecipientStatus> {
    // Each outcome is written by one statement, atomic without a transaction's round trips.
    if (outcome.kind === 'delivered') {
      await this.finish(job, claimed, decision, RecipientStatus.Delivered, {
        method: decision?.method ?? DeliveryMethod.Tls,
        smtpResponse: outcome.response,
        tlsVersion: outcome.tlsVersion,
        tlsCipher: outcome.tlsCipher,
        event: {
          method: decision?.method ?? DeliveryMethod.Tls,
          host: outcome.host,
          response: outcome.response,
          tlsVersion: outcome.tlsVersion,
          tlsCipher: outcome.tlsCipher,
        },
      });
      return RecipientStatus.Delivered;
    }

    const { failure } = outcome;
    const base = {
      reason: failure.reason,
      responseCode: failure.responseCode,
      host: outcome.host,
    };
    if (failure.kind === 'tls') {
      await this.finish(job, claimed, decision, RecipientStatus.Failed, {
        lastError: failure.reason,
        smtpResponse: failure.response,
        event: base,
      });
      return RecipientStatus.Failed;
    }
    if (failure.kind === 'permanent') {
      await this.finish(job, claimed, decision, RecipientStatus.Bounced, {
        lastError: failure.reason,
        smtpResponse: failure.response,
        event: base,
      });
      return RecipientStatus.Bounced;
    }

    const ageSeconds = (Date.now() - claimed.firstAttemptAt.getTime()) / 1000;
    const { retryBaseSeconds, retryMaxDelaySeconds, bounceAfterSeconds } = this.config.delivery;
    const delay = retryDelaySeconds(claimed.attempts, retryBaseSeconds, retryMaxDelaySeconds);
    if (ageSeconds + delay > bounceAfterSeconds) {
      const reason = `gave up after ${claimed.attempts} attempts: ${failure.reason}`;
      await this.finish(job, claimed, decision, RecipientStatus.Bounced, {
        lastError: reason,
        smtpResponse: failure.response,
        event: { ...base, reason, attempts: claimed.attempts },
      });
      return RecipientStatus.Bounced;
    }
    await this.defer(job, claimed, decision, delay, base, failure.response);
    return RecipientStatus.Deferred;
  }

  /** Ends the recipient's delivery: status, event and outbox row, in one statement. */
  private async finish(
    job: DeliveryJob,
    claimed: ClaimedRecipient,
    decision: RecordedDecision | undefined,
    status: RecipientStatus,
    fields: {
      method?: string;
      smtpResponse?: string;
      tlsVersion?: string;
      tlsCipher?: string;
      lastError?: string;
      event: Record<string, unknown>;
    },
  ): Promise<void> {
    await queryPrepared(this.dataSource, FINISH_RECIPIENT, [
      job.recipientId,
      job.organisationId,
      status,
      fields.method ?? null,
      fields.smtpResponse ?? null,
      fields.tlsVersion ?? null,
      fields.tlsCipher ?? null,
      fields.lastError ?? null,
      decision ?? null,
      claimed.messageId,
      fields.event,
      job.outboxId,
    ]);
  }

  /** Schedules the next attempt: status, event and outbox due time, in one statement. */
  private async defer(
    job: DeliveryJob,
    claimed: ClaimedRecipient,
    decision: RecordedDecision | undefined,
    delaySeconds: number,
    event: Record<string, unknown>,
    smtpResponse: string | undefined,
  ): Promise<void> {
    const retryAt = new Date(Date.now() + delaySeconds * 1000);
    await queryPrepared(this.dataSource, DEFER_RECIPIENT, [
      job.recipientId,
      job.organisationId,
      RecipientStatus.Deferred,
      event.reason,
      smtpResponse ?? null,
      decision ?? null,
      claimed.messageId,
      { ...event, attempt: claimed.attempts, retryAt: retryAt.toISOString() },
      retryAt,
      job.outboxId,
    ]);
  }
}
