import { z } from 'zod';

const outboxId = z.string().regex(/^\d+$/);

/** One recipient's delivery, as the use cases take it: ids only, everything else re-read. */
export const deliveryJobSchema = z.object({
  v: z.literal(1),
  outboxId,
  recipientId: z.uuid(),
  organisationId: z.uuid(),
});

export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

// Enough recipients per job that claiming and recording cost one statement for many, few
// enough that one slow recipient holds back only a handful of others' records.
export const MAX_DELIVERIES_PER_JOB = 16;

/** A queued job: several deliveries of one organisation. Still ids only, never content. */
export const deliveryBatchJobSchema = z.object({
  v: z.literal(2),
  organisationId: z.uuid(),
  items: z
    .array(z.object({ outboxId, recipientId: z.uuid() }))
    .min(1)
    .max(MAX_DELIVERIES_PER_JOB),
});

export type DeliveryBatchJob = z.infer<typeof deliveryBatchJobSchema>;

/** What a worker may find in the queue: batches, and single jobs queued before them. */
export const queuedDeliverySchema = z.discriminatedUnion('v', [
  deliveryJobSchema,
  deliveryBatchJobSchema,
]);

export function deliveriesOf(job: z.infer<typeof queuedDeliverySchema>): DeliveryJob[] {
  if (job.v === 1) {
    return [job];
  }
  return job.items.map((item) => ({ v: 1, organisationId: job.organisationId, ...item }));
}

/**
 * The same outbox rows always map to the same job id, so Bull ignores a second add of a batch
 * it still holds.
 */
export function deliveryJobId(outboxIds: readonly string[]): string {
  return `outbox-${outboxIds.join('.')}`;
}
