import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { safeErrorFields } from '@sealpost/core';
import {
  RunEnrollmentUseCase,
  WORKFLOW_JOB,
  WORKFLOW_QUEUE,
  enrollmentsOf,
  type QueuedWorkflowJob,
  queuedWorkflowJobSchema,
} from '@sealpost/workflow';
import { type Job, Queue } from 'bull';

// Each running job holds one PostgreSQL connection for its batch's transaction; this keeps
// workflow steps from starving delivery of the pool.
const WORKFLOW_CONCURRENCY = 8;

/**
 * Runs due enrollments, in batches (and single jobs queued before batches). Retries are not
 * Bull's: a job that fails leaves its enrollments due in PostgreSQL, and the scheduler hands
 * them over again once their lease ends.
 */
@Injectable()
export class WorkflowProcessor implements OnModuleInit {
  private readonly logger = new Logger(WorkflowProcessor.name);

  constructor(
    @InjectQueue(WORKFLOW_QUEUE) private readonly queue: Queue<QueuedWorkflowJob>,
    private readonly run: RunEnrollmentUseCase,
  ) {}

  onModuleInit(): void {
    void this.queue.process(WORKFLOW_JOB, WORKFLOW_CONCURRENCY, (job: Job) => this.handle(job));
  }

  private async handle(job: Job): Promise<void> {
    const parsed = queuedWorkflowJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error({ jobId: job.id }, 'workflow job rejected: invalid data');
      return;
    }
    try {
      await this.run.execute(parsed.data);
    } catch (error) {
      this.logger.error(
        {
          organisationId: parsed.data.organisationId,
          enrollments: enrollmentsOf(parsed.data).map((due) => due.enrollmentId),
          err: safeErrorFields(error),
        },
        'workflow step crashed',
      );
    }
  }
}
