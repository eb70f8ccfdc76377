import { z } from 'zod';

/**
 * A job names one enrollment at one revision; nothing else. The runner re-reads the row and
 * does nothing when the revision moved on (another job already took that step).
 */
export const workflowJobSchema = z.strictObject({
  v: z.literal(1),
  organisationId: z.uuid(),
  enrollmentId: z.uuid(),
  revision: z.number().int().nonnegative(),
});
export type WorkflowJob = z.infer<typeof workflowJobSchema>;

/** Stable per revision, so Bull ignores a second add of the same work while it is queued. */
export function workflowJobId(job: WorkflowJob): string {
  return `${job.enrollmentId}:${job.revision}`;
}
