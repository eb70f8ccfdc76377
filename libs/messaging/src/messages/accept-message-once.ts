import { Inject, Injectable } from '@nestjs/common';
import {
  type AuthContext,
  EnvelopeCipher,
  ErrorCode,
  preparedStatement,
  queryPrepared,
  SEALPOST_CONFIG,
  SealpostError,
  type SealpostConfig,
} from '@sealpost/core';
import { DataSource } from 'typeorm';
import { checkMessage } from './message-limits';
import { messageRows } from './message-rows';
import {
  type AcceptedMessage,
  type AcceptResult,
  type IdempotencyRequest,
  type SendMessageCommand,
} from './send-message.command';

// AcceptMessageUseCase's statement, gated on claiming the key: the claim, the message, its
// recipients, event, outbox rows, the gateway receipt and the relay's wake-up are one
// statement, so one round trip and one commit. When the key was taken, nothing is written.
const INSERT_MESSAGE_ONCE = preparedStatement(
  'accept_message_once',
  `WITH stamp AS (SELECT date_trunc('milliseconds', clock_timestamp()) AS at),
   claim AS (
     INSERT INTO idempotency_keys
       (organisation_id, key, request_hash, response_status, response_body)
     SELECT $2, $19, $20, 202, jsonb_set($21::jsonb, '{createdAt}',
              to_jsonb(to_char(stamp.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
       FROM stamp
     ON CONFLICT (organisation_id, key) DO NOTHING RETURNING response_body),
   message AS (
     INSERT INTO messages (id, organisation_id, from_address, tags, metadata,
       content_ciphertext, content_wrapped_key, content_key_id, size_bytes, created_at)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, stamp.at FROM stamp, claim),
   recipients AS (
     INSERT INTO message_recipients
       (id, organisation_id, message_id, kind, address, domain, status)
     SELECT r.id, $2, $1, r.kind, r.address, r.domain, $10
       FROM unnest($11::uuid[], $12::text[], $13::text[], $14::text[])
         AS r(id, kind, address, domain), claim),
   event AS (
     INSERT INTO message_events (organisation_id, message_id, type, data)
     SELECT $2, $1, $15, $16 FROM claim),
   outbox AS (
     INSERT INTO outbox (organisation_id, topic, ref_id)
     SELECT $2, $17, r.id FROM unnest($11::uuid[]) AS r(id), claim),
   receipt AS (
     INSERT INTO gateway_receipts (organisation_id, origin_digest, message_id)
     SELECT $2, $22::bytea, $1 FROM claim WHERE $22::bytea IS NOT NULL
     ON CONFLICT DO NOTHING),
   wake AS (SELECT pg_notify($18, '') FROM claim)
   SELECT (SELECT response_body FROM claim) AS response, (SELECT count(*) FROM wake) AS woke`,
);

/**
 * Accepts a message at most once per key, in one statement: for callers that retry the same
 * message after losing the answer (an SMTP client whose connection dropped after DATA) and
 * cannot afford AcceptMessageUseCase's transaction round trips on every message. Same rows
 * and checks as AcceptMessageUseCase; a key seen before answers with its first message, and
 * the same key with other content is refused.
 */
@Injectable()
export class AcceptMessageOnce {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  async execute(
    caller: AuthContext,
    command: SendMessageCommand,
    idempotency: IdempotencyRequest,
    /** GatewayReceipts' digest of the message's own Message-ID, recorded with it. */
    originDigest: Buffer | null = null,
  ): Promise<AcceptResult> {
    const checked = checkMessage(command, this.config.http);
    const rows = messageRows(this.cipher, caller.organisationId, command, checked);

    const [row] = await queryPrepared<{ response: AcceptedMessage | null }>(
      this.dataSource,
      INSERT_MESSAGE_ONCE,
      [...rows.params, idempotency.key, idempotency.requestHash, rows.answer(''), originDigest],
    );
    if (row.response) {
      return { message: row.response, replayed: false };
    }
    return { message: await this.earlier(caller.organisationId, idempotency), replayed: true };
  }

  /** The first message under a taken key; its writer has committed (the claim waited). */
  private async earlier(
    organisationId: string,
    idempotency: IdempotencyRequest,
  ): Promise<AcceptedMessage> {
    const [earlier] = await this.dataSource.query<
      { request_hash: string; response_body: AcceptedMessage | null }[]
    >(
      `SELECT request_hash, response_body FROM idempotency_keys
        WHERE organisation_id = $1 AND key = $2`,
      [organisationId, idempotency.key],
    );
    if (!earlier?.response_body || earlier.request_hash !== idempotency.requestHash) {
      throw new SealpostError(
        ErrorCode.IdempotencyKeyReused,
        'This Idempotency-Key was already used with a different request body.',
      );
    }
    return earlier.response_body;
  }
}
