import { Inject, Injectable } from '@nestjs/common';
import { EnvelopeCipher, SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { openContent } from '@sealpost/messaging';
import { type FhirConnection } from '../connections/fhir-connection';
import { type ChartedMessage, type CommunicationCategory } from '../mapping/communication-mapper';
import { type ChartEvent } from '../mapping/communication-state';
import { type RecipientFacts } from './recipient-facts';

export interface ChartInput {
  message: ChartedMessage;
  events: ChartEvent[];
}

// Status events always count; engagement and replies only when the connection sends them.
const FILTERED_TYPES = ['opened', 'clicked', 'portal.viewed', 'portal.replied'];
const REFERENCE = /^[A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * Turns what was read of one recipient (RecipientFacts) into what the mapping needs: the
 * Patient, the message's title (its sealed subject), link and content when allowed, and the
 * events the connection sends. Null when the recipient is linked to no Patient: such
 * messages are not charted.
 */
@Injectable()
export class ChartInputBuilder {
  constructor(
    private readonly cipher: EnvelopeCipher,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  build(
    connection: FhirConnection,
    recipientId: string,
    facts: RecipientFacts | null,
  ): ChartInput | null {
    const patientReference = referenceOf(facts?.patient_ref ?? null, 'Patient');
    if (!facts || !patientReference) {
      return null;
    }

    const sends = (type: string) => {
      const webhookType = type.includes('.') ? type : `message.${type}`;
      return (
        !FILTERED_TYPES.includes(type) ||
        connection.eventTypes.length === 0 ||
        connection.eventTypes.includes(webhookType) ||
        connection.eventTypes.includes(`${webhookType.split('.')[0]}.*`)
      );
    };
    const events = facts.events
      .filter((event) => sends(event.type))
      .map((event) => ({ id: event.id, type: event.type, at: new Date(event.created_at) }));

    const content = openContent(this.cipher, connection.organisationId, facts.message_id, {
      ciphertext: facts.content_ciphertext,
      wrappedKey: facts.content_wrapped_key,
      keyId: facts.content_key_id,
    });
    const basedOn = referenceOf(stringOf(facts.metadata.fhirBasedOn), null) ?? undefined;
    const message: ChartedMessage = {
      recipientId,
      patientReference,
      senderDisplay: facts.from_address,
      category: categoryOf(facts.metadata, basedOn),
      basedOn,
      title: content.subject || 'Secure message',
      link: `${this.config.portal.publicUrl}/v1/messages/${facts.message_id}`,
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
