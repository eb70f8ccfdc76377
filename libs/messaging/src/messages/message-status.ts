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

/** How a copy was protected on its way; `none` only when policy required no protection. */
export enum DeliveryMethod {
  Pgp = 'pgp',
  Smime = 'smime',
  Tls = 'tls',
  Portal = 'portal',
  None = 'none',
}

export type RecipientKind = 'to' | 'cc' | 'bcc';
