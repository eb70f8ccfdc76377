import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * A job names one enrollment at one revision; nothing else. The runner re-reads the row and
 * does nothing when the revision moved on (another job already took that step). Queued by
 * schedulers before batches; still run when found in a queue.
 */
export const workflowJobSchema = z.strictObject({
  v: z.literal(1),
  organisationId: z.uuid(),
  enrollmentId: z.uuid(),
  revision: z.number().int().nonnegative(),
});
export type WorkflowJob = z.infer<typeof workflowJobSchema>;

// Enough enrollments per job that one commit and a handful of statements serve many steps;
// few enough that a batch's transaction, and the rows it locks, stay short.
export const MAX_ENROLLMENTS_PER_JOB = 50;

/** Several due enrollments of one organisation, each at its revision. Still ids only. */
export const workflowBatchJobSchema = z.strictObject({
  v: z.literal(2),
  organisationId: z.uuid(),
  items: z
    .array(z.strictObject({ enrollmentId: z.uuid(), revision: z.number().int().nonnegative() }))
    .min(1)
    .max(MAX_ENROLLMENTS_PER_JOB),
});
export type WorkflowBatchJob = z.infer<typeof workflowBatchJobSchema>;

/** What a worker may find in the queue: batches, and single jobs queued before them. */
export const queuedWorkflowJobSchema = z.discriminatedUnion('v', [
  workflowJobSchema,
  workflowBatchJobSchema,
]);
export type QueuedWorkflowJob = z.infer<typeof queuedWorkflowJobSchema>;

export interface DueEnrollment {
  enrollmentId: string;
  revision: number;
}

export function enrollmentsOf(job: QueuedWorkflowJob): DueEnrollment[] {
  return job.v === 1 ? [{ enrollmentId: job.enrollmentId, revision: job.revision }] : job.items;
}

/**
 * Stable per content, so Bull ignores a second add of the same work while it is queued. A
 * batch's id is a digest of its enrollments and revisions, to keep Redis keys short.
 */
export function workflowJobId(job: QueuedWorkflowJob): string {
  if (job.v === 1) {
    return `${job.enrollmentId}:${job.revision}`;
  }
  const items = job.items.map((item) => `${item.enrollmentId}:${item.revision}`).join(',');
  return `batch:${createHash('sha256').update(items).digest('hex').slice(0, 32)}`;
}
