import { z } from 'zod';

export const M365_QUEUE = 'microsoft365';
export const M365_SENT_ITEM_JOB = 'sent-item';
export const M365_LIFECYCLE_JOB = 'lifecycle';
export const M365_MAINTENANCE_JOB = 'maintenance';

/** One message Graph says was created in a user's Sent Items: ids only. */
export const sentItemJobSchema = z.object({
  organisationId: z.uuid(),
  userId: z.string().min(1).max(200),
  messageId: z.string().min(1).max(1000),
});
export type SentItemJob = z.infer<typeof sentItemJobSchema>;

export const LIFECYCLE_EVENTS = [
  'reauthorizationRequired',
  'subscriptionRemoved',
  'missed',
] as const;
export const lifecycleJobSchema = z.object({
  organisationId: z.uuid(),
  subscriptionId: z.string().min(1).max(200),
  event: z.enum(LIFECYCLE_EVENTS),
});
export type LifecycleJob = z.infer<typeof lifecycleJobSchema>;
