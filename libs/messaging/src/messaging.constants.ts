/** Bull queue that delivers one recipient's copy per job. */
export const DELIVERY_QUEUE = 'delivery';

/** Outbox topic of delivery work; ref_id is the recipient id. */
export const DELIVERY_TOPIC = 'delivery';

/** NOTIFY channel the accept transaction signals on commit, so the relay wakes at once. */
export const OUTBOX_CHANNEL = 'sealpost_outbox';
