import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { safeErrorFields } from '@sealpost/core';
import {
  AuditSentItemUseCase,
  HandleLifecycleUseCase,
  lifecycleJobSchema,
  M365_LIFECYCLE_JOB,
  M365_MAINTENANCE_JOB,
  M365_QUEUE,
  M365ConnectionsService,
  M365_SENT_ITEM_JOB,
  SentItemsSubscriptions,
  sentItemJobSchema,
  SyncDirectoryUseCase,
} from '@sealpost/microsoft365';
import { type Job, Queue } from 'bull';

// Hourly: delta links live seven days and subscriptions are renewed in their last day, so an
// hour leaves dozens of chances for each; it also bounds how stale group rules can be.
const MAINTENANCE_EVERY_MS = 3600 * 1000;
// Graph reads per notification are small; a few at once keep up with a busy tenant without
// tripping Graph's per-app throttling.
const NOTIFICATION_CONCURRENCY = 4;

/**
 * The Microsoft 365 jobs: sent-message audits and lifecycle events queued by the api's
 * notification endpoint, and the hourly maintenance (directory sync, new subscriptions,
 * renewals before expiry).
 */
@Injectable()
export class Microsoft365Processor implements OnModuleInit {
  private readonly logger = new Logger(Microsoft365Processor.name);

  constructor(
    @InjectQueue(M365_QUEUE) private readonly queue: Queue,
    private readonly sentItems: AuditSentItemUseCase,
    private readonly lifecycle: HandleLifecycleUseCase,
    private readonly connections: M365ConnectionsService,
    private readonly directory: SyncDirectoryUseCase,
    private readonly subscriptions: SentItemsSubscriptions,
  ) {}

  async onModuleInit(): Promise<void> {
    void this.queue.process(M365_SENT_ITEM_JOB, NOTIFICATION_CONCURRENCY, (job: Job) =>
      this.sentItem(job),
    );
    void this.queue.process(M365_LIFECYCLE_JOB, 1, (job: Job) => this.lifecycleEvent(job));
    void this.queue.process(M365_MAINTENANCE_JOB, 1, () => this.maintain());
    // One repeatable job whatever the number of workers: Bull keys it by name and interval.
    await this.queue.add(
      M365_MAINTENANCE_JOB,
      {},
      { repeat: { every: MAINTENANCE_EVERY_MS }, removeOnComplete: true, removeOnFail: true },
    );
  }

  /** Throws so Bull retries with backoff (the job's attempts); the data is ids only. */
  private async sentItem(job: Job): Promise<void> {
    const parsed = sentItemJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error({ jobId: job.id }, 'm365 sent-item job rejected: invalid data');
      return;
    }
    await this.sentItems.execute(parsed.data);
  }

  private async lifecycleEvent(job: Job): Promise<void> {
    const parsed = lifecycleJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error({ jobId: job.id }, 'm365 lifecycle job rejected: invalid data');
      return;
    }
    await this.lifecycle.execute(parsed.data);
  }

  async maintain(): Promise<void> {
    for (const organisationId of await this.connections.enabledOrganisations()) {
      try {
        await this.directory.execute(organisationId);
        await this.subscriptions.ensure(organisationId);
      } catch (error) {
        // Recorded on the connection for the status endpoint; the next run tries again.
        this.logger.warn(
          { organisationId, err: safeErrorFields(error) },
          'm365 maintenance failed',
        );
      }
    }
    const renewed = await this.subscriptions.renewDue();
    this.logger.log({ renewed }, 'm365 maintenance done');
  }
}
