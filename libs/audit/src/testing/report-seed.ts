import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';

/** One recipient copy as the seed writes it; the address is PHI the report must not show. */
export interface SeedCopy {
  status: 'delivered' | 'bounced' | 'failed' | 'deferred' | 'queued' | 'accepted';
  method?: 'pgp' | 'smime' | 'tls' | 'portal' | 'none';
  smtpResponse?: string;
}

export interface SeedEvent {
  type: string;
  at: string;
}

export interface SeedMessage {
  acceptedAt: string;
  copies: SeedCopy[];
  events?: SeedEvent[];
}

/**
 * Writes messages, their recipient copies and engagement events straight into the tables,
 * with the acceptance and event times a test needs (the pipeline would stamp "now").
 */
export async function seedMessages(
  dataSource: DataSource,
  organisationId: string,
  messages: SeedMessage[],
): Promise<void> {
  for (const message of messages) {
    const messageId = randomUUID();
    await dataSource.query(
      `INSERT INTO messages (id, organisation_id, from_address, content_ciphertext,
                             content_wrapped_key, content_key_id, size_bytes, created_at)
       VALUES ($1, $2, 'dr.house@clinic.example', '\\x00', '\\x00', 'mk_test', 1, $3)`,
      [messageId, organisationId, message.acceptedAt],
    );
    let firstRecipient: string | null = null;
    for (const copy of message.copies) {
      const recipientId = randomUUID();
      firstRecipient ??= recipientId;
      await dataSource.query(
        `INSERT INTO message_recipients (id, organisation_id, message_id, kind, address, domain,
                                         status, method, smtp_response)
         VALUES ($1, $2, $3, 'to', $4, 'patients.example', $5, $6, $7)`,
        [
          recipientId,
          organisationId,
          messageId,
          `patient-${recipientId.slice(0, 8)}@patients.example`,
          copy.status,
          copy.method ?? null,
          copy.smtpResponse ?? null,
        ],
      );
    }
    for (const event of message.events ?? []) {
      await dataSource.query(
        `INSERT INTO message_events (organisation_id, message_id, recipient_id, type, created_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [organisationId, messageId, firstRecipient, event.type, event.at],
      );
    }
  }
}
