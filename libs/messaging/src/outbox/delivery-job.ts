import { z } from 'zod';

/** A delivery job carries ids only: the worker re-reads everything else from PostgreSQL. */
export const deliveryJobSchema = z.object({
  v: z.literal(1),
  outboxId: z.string().regex(/^\d+$/),
  recipientId: z.uuid(),
  organisationId: z.uuid(),
});

export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

/** The same outbox row always maps to the same job id, so Bull ignores a second add. */
export function deliveryJobId(outboxId: string): string {
  return `outbox-${outboxId}`;
}
