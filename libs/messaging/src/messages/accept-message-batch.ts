import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  EnvelopeCipher,
  ErrorCode,
  SEALPOST_CONFIG,
  SealpostError,
  type SealpostConfig,
} from '@sealpost/core';
import { type EntityManager } from 'typeorm';
import { DELIVERY_TOPIC, OUTBOX_CHANNEL } from '../messaging.constants';
import { contentOf, sealContent } from './message-content';
import { checkMessage, sizeOf } from './message-limits';
import { MessageEventType, RecipientStatus } from './message-status';
import { type AcceptedMessage, type SendMessageCommand } from './send-message.command';

/** A message checked and sealed, ready to be accepted; nothing is written yet. */
export interface PreparedMessage {
  readonly id: string;
  readonly from: string;
  readonly tags: string[];
  readonly metadata: Record<string, string>;
  readonly sealed: { ciphertext: Buffer; wrappedKey: Buffer; keyId: string };
  readonly sizeBytes: number;
  readonly recipients: { id: string; kind: string; address: string; domain: string }[];
}

/** One message of a batch with its idempotency key (the key alone decides a replay). */
export interface BatchItem {
  prepared: PreparedMessage;
  idempotencyKey: string;
  requestHash: string;
}

// Messages, recipients, `accepted` events, outbox rows and the relay's wake-up for a whole
// batch in one statement, as AcceptMessageUseCase does for one message.
const INSERT_MESSAGES = `
  WITH message AS (
    INSERT INTO messages (id, organisation_id, from_address, tags, metadata,
      content_ciphertext, content_wrapped_key, content_key_id, size_bytes)
    SELECT m.id, $1, m.from_address, ARRAY(SELECT jsonb_array_elements_text(m.tags)),
           m.metadata, m.ciphertext, m.wrapped_key, m.key_id, m.size_bytes
      FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], $6::bytea[], $7::bytea[],
                  $8::text[], $9::int[])
        AS m(id, from_address, tags, metadata, ciphertext, wrapped_key, key_id, size_bytes)
    RETURNING id, created_at),
  recipients AS (
    INSERT INTO message_recipients
      (id, organisation_id, message_id, kind, address, domain, status)
    SELECT r.id, $1, r.message_id, r.kind, r.address, r.domain, $10
      FROM unnest($11::uuid[], $12::uuid[], $13::text[], $14::text[], $15::text[])
        AS r(id, message_id, kind, address, domain)),
  event AS (
    INSERT INTO message_events (organisation_id, message_id, type, data)
    SELECT $1, m.id, $16, jsonb_build_object('recipients', m.recipients)
      FROM unnest($2::uuid[], $17::int[]) AS m(id, recipients)),
  outbox AS (
    INSERT INTO outbox (organisation_id, topic, ref_id) SELECT $1, $18, unnest($11::uuid[])),
  wake AS (SELECT pg_notify($19, ''))
  SELECT id, created_at FROM message, wake`;

/**
 * Accepts many messages of one organisation inside the caller's transaction, each under its
 * idempotency key: a key seen before gives its first message back and nothing new is
 * written. For callers (the journey engine) that commit their own state with the messages,
 * so a rollback takes both back and a retry can never send twice.
 */
@Injectable()
export class AcceptMessageBatch {
  constructor(
    private readonly cipher: EnvelopeCipher,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  /** Checks and seals one message; throws SealpostError when the message checks refuse it. */
  prepare(organisationId: string, command: SendMessageCommand): PreparedMessage {
    const checked = checkMessage(command, this.config.http);
    const id = randomUUID();
    const sealed = sealContent(this.cipher, organisationId, id, contentOf(command));
    return {
      id,
      from: command.from,
      tags: command.tags,
      metadata: command.metadata,
      sealed,
      sizeBytes: sizeOf(command),
      recipients: checked.recipients.map(({ kind, mailbox }) => ({
        id: randomUUID(),
        kind,
        address: mailbox.address,
        domain: mailbox.domain,
      })),
    };
  }

  /** The accepted messages, in the order of `items`; replays come back as first accepted. */
  async acceptIn(
    manager: EntityManager,
    organisationId: string,
    items: BatchItem[],
  ): Promise<AcceptedMessage[]> {
    if (!items.length) {
      return [];
    }
    const claimed = await manager.query<{ key: string }[]>(
      `INSERT INTO idempotency_keys (organisation_id, key, request_hash)
       SELECT $1, k.key, k.hash FROM unnest($2::text[], $3::text[]) AS k(key, hash)
       ON CONFLICT (organisation_id, key) DO NOTHING RETURNING key`,
      [organisationId, items.map((item) => item.idempotencyKey), items.map((i) => i.requestHash)],
    );
    const fresh = new Set(claimed.map((row) => row.key));
    const earlier = await this.earlierResponses(
      manager,
      organisationId,
      items.filter((item) => !fresh.has(item.idempotencyKey)),
    );
    const accepted = await this.insert(
      manager,
      organisationId,
      items.filter((item) => fresh.has(item.idempotencyKey)).map((item) => item.prepared),
    );
    if (accepted.size) {
      const keyed = items.filter((item) => fresh.has(item.idempotencyKey));
      await manager.query(
        `UPDATE idempotency_keys k SET response_status = 202, response_body = b.body
           FROM unnest($2::text[], $3::jsonb[]) AS b(key, body)
          WHERE k.organisation_id = $1 AND k.key = b.key`,
        [
          organisationId,
          keyed.map((item) => item.idempotencyKey),
          keyed.map((item) => JSON.stringify(accepted.get(item.prepared.id))),
        ],
      );
    }
    return items.map(
      (item) =>
        accepted.get(item.prepared.id) ?? (earlier.get(item.idempotencyKey) as AcceptedMessage),
    );
  }

  private async insert(
    manager: EntityManager,
    organisationId: string,
    messages: PreparedMessage[],
  ): Promise<Map<string, AcceptedMessage>> {
    if (!messages.length) {
      return new Map();
    }
    const recipients = messages.flatMap((message) =>
      message.recipients.map((recipient) => ({ ...recipient, messageId: message.id })),
    );
    const rows = await manager.query<{ id: string; created_at: Date }[]>(INSERT_MESSAGES, [
      organisationId,
      messages.map((m) => m.id),
      messages.map((m) => m.from),
      messages.map((m) => JSON.stringify(m.tags)),
      messages.map((m) => JSON.stringify(m.metadata)),
      messages.map((m) => m.sealed.ciphertext),
      messages.map((m) => m.sealed.wrappedKey),
      messages.map((m) => m.sealed.keyId),
      messages.map((m) => m.sizeBytes),
      RecipientStatus.Accepted,
      recipients.map((r) => r.id),
      recipients.map((r) => r.messageId),
      recipients.map((r) => r.kind),
      recipients.map((r) => r.address),
      recipients.map((r) => r.domain),
      MessageEventType.Accepted,
      messages.map((m) => m.recipients.length),
      DELIVERY_TOPIC,
      OUTBOX_CHANNEL,
    ]);
    const createdAt = new Map(rows.map((row) => [row.id, new Date(row.created_at)]));
    return new Map(
      messages.map((message) => [
        message.id,
        {
          id: message.id,
          status: 'accepted' as const,
          createdAt: (createdAt.get(message.id) as Date).toISOString(),
          recipients: message.recipients.map((r) => ({
            id: r.id,
            address: r.address,
            kind: r.kind as 'to' | 'cc' | 'bcc',
            status: RecipientStatus.Accepted,
          })),
        },
      ]),
    );
  }

  /**
   * First responses for keys already taken. A key still being written by another
   * transaction was waited for by the INSERT above, so its response is there now.
   */
  private async earlierResponses(
    manager: EntityManager,
    organisationId: string,
    items: BatchItem[],
  ): Promise<Map<string, AcceptedMessage>> {
    if (!items.length) {
      return new Map();
    }
    const rows = await manager.query<
      { key: string; request_hash: string; response_body: AcceptedMessage | null }[]
    >(
      `SELECT key, request_hash, response_body FROM idempotency_keys
        WHERE organisation_id = $1 AND key = ANY($2::text[])`,
      [organisationId, items.map((item) => item.idempotencyKey)],
    );
    const byKey = new Map(rows.map((row) => [row.key, row]));
    const responses = new Map<string, AcceptedMessage>();
    for (const item of items) {
      const row = byKey.get(item.idempotencyKey);
      if (!row?.response_body || row.request_hash !== item.requestHash) {
        throw new SealpostError(
          ErrorCode.IdempotencyKeyReused,
          'This Idempotency-Key was already used with a different request body.',
        );
      }
      responses.set(item.idempotencyKey, row.response_body);
    }
    return responses;
  }
}
