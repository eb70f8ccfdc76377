import { webhookTypeOf } from './webhook-event-types';

/** The message_events row a delivery refers to. */
export interface WebhookEventRow {
  id: string;
  organisation_id: string;
  message_id: string;
  recipient_id: string | null;
  type: string;
  data: Record<string, unknown>;
  created_at: Date;
}

// Event data fields that are references, counts or protocol facts. Everything else (SMTP
// responses and reasons, which can quote an address; MX host names) stays out: an allow
// list, so a field added to events later is not sent until someone decides it is safe.
const SAFE_DATA_FIELDS = [
  'method',
  'tlsVersion',
  'tlsCipher',
  'responseCode',
  'attempt',
  'attempts',
  'retryAt',
  'recipients',
  'link',
  'urlHash',
] as const;

export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The id receivers deduplicate on: one per event, the same on every retry and replay. */
export function webhookMessageId(eventId: string): string {
  return `msg_${eventId}`;
}

export function eventIdOfMessageId(messageId: string): string | null {
  const match = /^msg_(\d{1,18})$/.exec(messageId);
  return match ? match[1] : null;
}

/** Ids and safe event facts; never content, addresses or subjects. */
export function buildWebhookPayload(event: WebhookEventRow): WebhookPayload {
  const data: Record<string, unknown> = {
    eventId: event.id,
    organisationId: event.organisation_id,
    messageId: event.message_id,
  };
  if (event.recipient_id) {
    data.recipientId = event.recipient_id;
  }
  for (const field of SAFE_DATA_FIELDS) {
    if (event.data[field] !== undefined && event.data[field] !== null) {
      data[field] = event.data[field];
    }
  }
  return {
    type: webhookTypeOf(event.type),
    timestamp: new Date(event.created_at).toISOString(),
    data,
  };
}
