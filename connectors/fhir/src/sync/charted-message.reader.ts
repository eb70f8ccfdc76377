import { Inject, Injectable } from '@nestjs/common';
import { EnvelopeCipher, SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { openContent } from '@sealpost/messaging';
import { DataSource } from 'typeorm';
import { type FhirConnection } from '../connections/fhir-connection';
import { type CommunicationCategory, type ChartedMessage } from '../mapping/communication-mapper';
import { type ChartEvent } from '../mapping/communication-state';

interface RecipientRow {
  message_id: string;
  from_address: string;
  metadata: Record<string, unknown>;
  content_ciphertext: Buffer;
  content_wrapped_key: Buffer;
  content_key_id: string;
  patient_ref: string | null;
}

interface EventRow {
  id: string;
  type: string;
  created_at: Date;
}

export interface ChartInput {
  message: ChartedMessage;
  events: ChartEvent[];
}

// Status events always count; engagement and replies only when the connection sends them.
const FILTERED_TYPES = ['opened', 'clicked', 'portal.viewed', 'portal.replied'];
const REFERENCE = /^[A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * Reads what the mapping needs of one recipient: the patient link (the contact the message
 * was sent to, else the contact with the recipient's address), the message facts and events.
 * Null when the recipient is not linked to a Patient: such messages are not charted.
 */
@Injectable()
export class ChartedMessageReader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  async read(connection: FhirConnection, recipientId: string): Promise<ChartInput | null> {
    const organisationId = connection.organisationId;
    const [row] = await this.dataSource.query<RecipientRow[]>(
      `SELECT m.id AS message_id, m.from_address, m.metadata, m.content_ciphertext,
              m.content_wrapped_key, m.content_key_id,
              COALESCE(
                (SELECT c.ehr_patient_ref FROM contacts c
                  WHERE c.organisation_id = r.organisation_id
                    AND c.id::text = m.metadata ->> 'contactId'),
                (SELECT c.ehr_patient_ref FROM contacts c
                  WHERE c.organisation_id = r.organisation_id
                    AND c.email_normalised = lower(trim(r.address)))) AS patient_ref
         FROM message_recipients r JOIN messages m ON m.id = r.message_id
        WHERE r.organisation_id = $1 AND r.id = $2`,
      [organisationId, recipientId],
    );
    const patientReference = referenceOf(row?.patient_ref ?? null, 'Patient');
    if (!row || !patientReference) {
      return null;
    }

    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT id::text AS id, type, created_at FROM message_events
        WHERE organisation_id = $1 AND message_id = $2
          AND (recipient_id = $3 OR recipient_id IS NULL)
        ORDER BY id`,
      [organisationId, row.message_id, recipientId],
    );
    const sends = (type: string) =>
      !FILTERED_TYPES.includes(type) ||
      connection.eventTypes.length === 0 ||
      connection.eventTypes.includes(type.includes('.') ? type : `message.${type}`) ||
      connection.eventTypes.includes(`${type.includes('.') ? type.split('.')[0] : 'message'}.*`);
    const events = rows
      .filter((event) => sends(event.type))
      .map((event) => ({ id: event.id, type: event.type, at: event.created_at }));

    const content = openContent(this.cipher, organisationId, row.message_id, {
      ciphertext: row.content_ciphertext,
      wrappedKey: row.content_wrapped_key,
      keyId: row.content_key_id,
    });
    const basedOn = referenceOf(stringOf(row.metadata.fhirBasedOn), null) ?? undefined;
    const message: ChartedMessage = {
      recipientId,
      patientReference,
      senderDisplay: row.from_address,
      category: categoryOf(row.metadata, basedOn),
      basedOn,
      title: content.subject || 'Secure message',
      link: `${this.config.portal.publicUrl}/v1/messages/${row.message_id}`,
    };
    if (connection.includeContent && (content.text ?? content.html)) {
      message.content = content.text
        ? { contentType: 'text/plain', base64: Buffer.from(content.text).toString('base64') }
        : { contentType: 'text/html', base64: Buffer.from(content.html!).toString('base64') };
    }
    return { message, events };
  }
}

/** `Patient/123` as is; a bare id is taken as one of `defaultType`; anything else: none. */
function referenceOf(value: string | null, defaultType: string | null): string | null {
  if (!value) {
    return null;
  }
  const reference = !value.includes('/') && defaultType ? `${defaultType}/${value}` : value;
  return REFERENCE.test(reference) ? reference : null;
}

function stringOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Set by the sender in message metadata (`fhirCategory`); an Appointment means a reminder. */
function categoryOf(
  metadata: Record<string, unknown>,
  basedOn: string | undefined,
): CommunicationCategory {
  if (metadata.fhirCategory === 'reminder' || metadata.fhirCategory === 'notification') {
    return metadata.fhirCategory;
  }
  return basedOn?.startsWith('Appointment/') ? 'reminder' : 'notification';
}
