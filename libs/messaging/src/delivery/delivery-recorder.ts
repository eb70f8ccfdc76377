import { Inject, Injectable } from '@nestjs/common';
import {
  SEALPOST_CONFIG,
  type SealedValue,
  type SealpostConfig,
  preparedStatement,
  queryPrepared,
} from '@sealpost/core';
import { DataSource } from 'typeorm';
import { PENDING_STATUSES, type RecipientStatus } from '../messages/message-status';
import { type DeliveryJob } from '../outbox/delivery-job';
import { type DeliveryOutcome } from './delivery-outcome';
import { type RecordedDecision, settleOutcome } from './outcome-settlement';

export interface ClaimedRecipient {
  messageId: string;
  address: string;
  domain: string;
  attempts: number;
  firstAttemptAt: Date;
  /** On the organisation's suppression list when claimed: nothing is sent. */
  suppressed: boolean;
  message: { fromAddress: string; createdAt: Date; sealed: SealedValue };
}

export type { RecordedDecision } from './outcome-settlement';

/** One attempt, ready to be written. */
export interface AttemptRecord {
  job: DeliveryJob;
  claimed: ClaimedRecipient;
  outcome: DeliveryOutcome;
  decision?: RecordedDecision;
}

interface ClaimRow {
  id: string;
  message_id: string;
  address: string;
  domain: string;
  attempts: number;
  first_attempt_at: Date;
  suppressed: boolean;
  from_address: string;
  created_at: Date;
  content_ciphertext: Buffer;
  content_wrapped_key: Buffer;
  content_key_id: string;
}

// Every delivery batch runs these, so they are prepared once per connection. Suppression is
// read at the claim, so an address suppressed or released after accept is honoured.
const CLAIM_RECIPIENTS = preparedStatement(
  'delivery_claim_many',
  `WITH claimed AS (
     UPDATE message_recipients
        SET lease_until = now() + make_interval(secs => $3), attempts = attempts + 1,
            first_attempt_at = coalesce(first_attempt_at, now()), updated_at = now()
      WHERE id = ANY($1::uuid[]) AND organisation_id = $2 AND status = ANY($4::text[])
        AND (lease_until IS NULL OR lease_until < now())
      RETURNING id, message_id, address, domain, attempts, first_attempt_at)
   SELECT c.*, m.from_address, m.created_at, m.content_ciphertext, m.content_wrapped_key,
          m.content_key_id,
          EXISTS (SELECT 1 FROM suppressions s
                   WHERE s.organisation_id = $2 AND s.address = lower(c.address)) AS suppressed
     FROM claimed c JOIN messages m ON m.id = c.message_id AND m.organisation_id = $2`,
);

// Outcomes arrive as one JSON array: one round trip however many recipients the batch had.
// A finished recipient's outbox row goes; a deferred one's comes back at its retry time; an
// address refused at RCPT TO goes on the suppression list.
const RECORD_OUTCOMES = preparedStatement(
  'delivery_record_many',
  `WITH input AS (
     SELECT * FROM jsonb_to_recordset($2::jsonb) AS i(
       recipient_id uuid, message_id uuid, outbox_id bigint, status text, method text,
       smtp_response text, tls_version text, tls_cipher text, last_error text,
       decision jsonb, event jsonb, retry_at timestamptz, suppress_status text)),
   recipients AS (
     UPDATE message_recipients r
        SET status = i.status, method = i.method, smtp_response = i.smtp_response,
            tls_version = i.tls_version, tls_cipher = i.tls_cipher,
            last_error = i.last_error, decision = i.decision, lease_until = NULL,
            updated_at = now(),
            delivered_at = CASE WHEN i.status = 'delivered' THEN now() END
       FROM input i
      WHERE r.id = i.recipient_id AND r.organisation_id = $1
      RETURNING r.id, r.address, i.message_id, i.status, i.event, i.suppress_status),
   events AS (
     INSERT INTO message_events (organisation_id, message_id, recipient_id, type, data)
     SELECT $1, message_id, id, status, event FROM recipients),
   suppressed AS (
     INSERT INTO suppressions
       (id, organisation_id, address, reason, status_code, message_id, recipient_id)
     SELECT gen_random_uuid(), $1, lower(address), 'hard_bounce', suppress_status, message_id, id
       FROM recipients WHERE suppress_status IS NOT NULL
     ON CONFLICT (organisation_id, address) DO NOTHING),
   finished AS (
     DELETE FROM outbox o USING input i WHERE o.id = i.outbox_id AND i.retry_at IS NULL)
   UPDATE outbox o SET available_at = i.retry_at, enqueued_at = NULL
     FROM input i WHERE o.id = i.outbox_id AND i.retry_at IS NOT NULL`,
);

/**
 * The database side of delivery: claiming recipients with a lease, and writing outcomes with
 * their events and outbox changes. Both take a whole batch in one statement.
 */
@Injectable()
export class DeliveryRecorder {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  /**
   * Takes the recipients for this attempt, keyed by recipient id, with their message (one
   * round trip). Absent: finished, or another worker holds a live lease; the lease keeps two
   * workers from sending the same copy at once.
   */
  async claimMany(jobs: readonly DeliveryJob[]): Promise<Map<string, ClaimedRecipient>> {
    const organisationId = sameOrganisation(jobs);
    const rows = await queryPrepared<ClaimRow>(this.dataSource, CLAIM_RECIPIENTS, [
      jobs.map((job) => job.recipientId),
      organisationId,
      this.config.delivery.leaseSeconds,
      PENDING_STATUSES,
    ]);
    return new Map(rows.map((row) => [row.id, claimedFrom(row)]));
  }

  async claim(job: DeliveryJob): Promise<ClaimedRecipient | null> {
    return (await this.claimMany([job])).get(job.recipientId) ?? null;
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

  /** Writes every attempt of a batch in one statement; returns each one's new status. */
  async recordMany(records: readonly AttemptRecord[]): Promise<RecipientStatus[]> {
    if (!records.length) {
      return [];
    }
    const organisationId = sameOrganisation(records.map((record) => record.job));
    const now = new Date();
    const rows = records.map(({ job, claimed, outcome, decision }) => {
      const settled = settleOutcome(
        { outcome, decision, attempts: claimed.attempts, firstAttemptAt: claimed.firstAttemptAt },
        this.config.delivery,
        now,
      );
      return {
        recipient_id: job.recipientId,
        message_id: claimed.messageId,
        outbox_id: job.outboxId,
        status: settled.status,
        method: settled.method,
        smtp_response: settled.smtpResponse,
        tls_version: settled.tlsVersion,
        tls_cipher: settled.tlsCipher,
        last_error: settled.lastError,
        decision: decision ?? null,
        event: settled.event,
        retry_at: settled.retryAt?.toISOString() ?? null,
        suppress_status: settled.suppressStatus,
      };
    });
    await queryPrepared(this.dataSource, RECORD_OUTCOMES, [organisationId, JSON.stringify(rows)]);
    return rows.map((row) => row.status);
  }

  async record(
    job: DeliveryJob,
    claimed: ClaimedRecipient,
    outcome: DeliveryOutcome,
    decision?: RecordedDecision,
  ): Promise<RecipientStatus> {
    const [status] = await this.recordMany([{ job, claimed, outcome, decision }]);
    return status;
  }
}

/** A batch never mixes organisations: every statement is scoped to exactly one. */
function sameOrganisation(jobs: readonly DeliveryJob[]): string {
  const organisationId = jobs[0]?.organisationId;
  if (!organisationId || jobs.some((job) => job.organisationId !== organisationId)) {
    throw new Error('a delivery batch must hold jobs of exactly one organisation');
  }
  return organisationId;
}

function claimedFrom(row: ClaimRow): ClaimedRecipient {
  return {
    messageId: row.message_id,
    address: row.address,
    domain: row.domain,
    attempts: row.attempts,
    firstAttemptAt: new Date(row.first_attempt_at),
    suppressed: row.suppressed,
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
