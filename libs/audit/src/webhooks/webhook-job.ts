import { z } from 'zod';

/** Bull queue of webhook attempts; jobs carry ids only, the rest is re-read. */
export const WEBHOOK_QUEUE = 'webhooks';
export const WEBHOOK_JOB = 'deliver-webhook';

/** The fan-out trigger's NOTIFY channel; the dispatcher wakes on it. */
export const WEBHOOK_CHANNEL = 'sealpost_webhooks';

export const webhookJobSchema = z.object({
  v: z.literal(1),
  organisationId: z.uuid(),
  deliveryId: z.string().regex(/^\d{1,18}$/),
});

export type WebhookJob = z.infer<typeof webhookJobSchema>;
