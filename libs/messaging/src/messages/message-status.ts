/** Where one recipient's copy stands. Terminal: delivered, bounced, failed. */
export enum RecipientStatus {
  Accepted = 'accepted',
  Queued = 'queued',
  Deferred = 'deferred',
  Delivered = 'delivered',
  Bounced = 'bounced',
  Failed = 'failed',
}

export const PENDING_STATUSES: readonly RecipientStatus[] = [
  RecipientStatus.Accepted,
  RecipientStatus.Queued,
  RecipientStatus.Deferred,
];

export enum MessageEventType {
  Accepted = 'accepted',
  Queued = 'queued',
  Delivered = 'delivered',
  Deferred = 'deferred',
  Bounced = 'bounced',
  Failed = 'failed',
}

/** How a copy was protected on its way. Only verified TLS exists until the engine lands. */
export enum DeliveryMethod {
  Tls = 'tls',
}

export type RecipientKind = 'to' | 'cc' | 'bcc';
