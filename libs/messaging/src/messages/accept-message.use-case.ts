import { Inject, Injectable } from '@nestjs/common';
import {
  type AuthContext,
  EnvelopeCipher,
  ErrorCode,
  type PreparedStatement,
  preparedStatement,
  queryPrepared,
  SEALPOST_CONFIG,
  SealpostError,
  type SealpostConfig,
} from '@sealpost/core';
import { DataSource, type EntityManager } from 'typeorm';
import { type CheckedRecipients, checkMessage } from './message-limits';
import { messageRows } from './message-rows';
import {
  type AcceptedMessage,
  type AcceptResult,
  type IdempotencyRequest,
  type SendMessageCommand,
} from './send-message.command';

type StatementRunner = <T>(statement: PreparedStatement, params: unknown[]) => Promise<T[]>;

// The whole accept in one statement; prepared, since every API send runs it.
const INSERT_MESSAGE = preparedStatement(
  'accept_message',
  `WITH message AS (
     INSERT INTO messages (id, organisation_id, from_address, tags, metadata,
       content_ciphertext, content_wrapped_key, content_key_id, size_bytes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING created_at),
   recipients AS (
     INSERT INTO message_recipients
       (id, organisation_id, message_id, kind, address, domain, status)
     SELECT r.id, $2, $1, r.kind, r.address, r.domain, $10
       FROM unnest($11::uuid[], $12::text[], $13::text[], $14::text[])
         AS r(id, kind, address, domain)),
   event AS (
     INSERT INTO message_events (organisation_id, message_id, type, data)
     VALUES ($2, $1, $15, $16)),
   outbox AS (
     INSERT INTO outbox (organisation_id, topic, ref_id) SELECT $2, $17, unnest($11::uuid[])),
   wake AS (SELECT pg_notify($18, ''))
   SELECT created_at FROM message, wake`,
);

/**
 * Makes a message durable: content sealed, one row per recipient, the `accepted` event and
 * one outbox row per recipient, all in one transaction. Nothing is acknowledged before it
 * commits; the relay finds the outbox rows even if nothing else happens afterwards.
 */
@Injectable()
export class AcceptMessageUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  async execute(
    caller: AuthContext,
    command: SendMessageCommand,
    idempotency?: IdempotencyRequest,
  ): Promise<AcceptResult> {
    const checked = checkMessage(command, this.config.http);

    if (!idempotency) {
      // One statement is atomic on its own: no BEGIN/COMMIT round trips on the hot path.
      const run: StatementRunner = (statement, params) =>
        queryPrepared(this.dataSource, statement, params);
      const message = await this.insert(run, caller, command, checked);
      return { message, replayed: false };
    }
    return this.dataSource.transaction(async (manager) => {
      const earlier = await this.claimIdempotencyKey(manager, caller, idempotency);
      if (earlier) {
        return { message: earlier, replayed: true };
      }
      const run: StatementRunner = (statement, params) => manager.query(statement.text, params);
      const message = await this.insert(run, caller, command, checked);
      await manager.query(
        `UPDATE idempotency_keys SET response_status = 202, response_body = $3
          WHERE organisation_id = $1 AND key = $2`,
        [caller.organisationId, idempotency.key, message],
      );
      return { message, replayed: false };
    });
  }

  /**
   * Message, recipients, the `accepted` event, the outbox rows and the relay's wake-up, in
   * one statement. Foreign keys are checked at its end, so the rows may reference each other.
   */
  private async insert(
    run: StatementRunner,
    caller: AuthContext,
    command: SendMessageCommand,
    checked: CheckedRecipients,
  ): Promise<AcceptedMessage> {
    const rows = messageRows(this.cipher, caller.organisationId, command, checked);
    const [{ created_at: createdAt }] = await run<{ created_at: Date }>(
      INSERT_MESSAGE,
      rows.params,
    );
    return rows.answer(new Date(createdAt).toISOString());
  }

  /**
   * Stripe's rules: the first request with a key wins; a retry with the same body gets the
   * first response again; the same key with another body is refused. A concurrent retry
   * waits on the row lock until the first transaction commits, then reads its response.
   */
  private async claimIdempotencyKey(
    manager: EntityManager,
    caller: AuthContext,
    idempotency: IdempotencyRequest,
  ): Promise<AcceptedMessage | null> {
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO idempotency_keys (organisation_id, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (organisation_id, key) DO NOTHING RETURNING key`,
      [caller.organisationId, idempotency.key, idempotency.requestHash],
    );
    if (inserted.length) {
      return null;
    }
    const [earlier] = await manager.query<
      { request_hash: string; response_body: AcceptedMessage | null }[]
    >(
      `SELECT request_hash, response_body FROM idempotency_keys
        WHERE organisation_id = $1 AND key = $2`,
      [caller.organisationId, idempotency.key],
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
