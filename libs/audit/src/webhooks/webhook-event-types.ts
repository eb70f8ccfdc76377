/**
 * The event types an endpoint can subscribe to: every message event type, prefixed
 * `message.`, and the portal's own (already dotted). Workflow events are not recorded in
 * message_events yet, so they are not offered.
 */
export const WEBHOOK_EVENT_TYPES = [
  'message.accepted',
  'message.queued',
  'message.delivered',
  'message.deferred',
  'message.bounced',
  'message.failed',
  'message.opened',
  'message.clicked',
  'portal.code_sent',
  'portal.code_failed',
  'portal.locked',
  'portal.verified',
  'portal.viewed',
  'portal.downloaded',
  'portal.replied',
  'portal.revoked',
  'portal.passphrase_set',
] as const;

/** A whole family at once; the fan-out trigger matches `<family>.*`. */
export const WEBHOOK_EVENT_FAMILIES = ['message.*', 'portal.*'] as const;

export function isWebhookEventFilter(value: string): boolean {
  return (
    (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value) ||
    (WEBHOOK_EVENT_FAMILIES as readonly string[]).includes(value)
  );
}

/** The webhook type of a message_events row, as the fan-out trigger computes it. */
export function webhookTypeOf(eventType: string): string {
  return eventType.includes('.') ? eventType : `message.${eventType}`;
}
