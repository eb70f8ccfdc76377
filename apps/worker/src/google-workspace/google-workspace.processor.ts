import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ErrorCode, safeErrorFields, SealpostError } from '@sealpost/core';
import {
  CheckSentMailUseCase,
  DIRECTORY_SYNC_JOB,
  directorySyncJobSchema,
  GOOGLE_WORKSPACE_QUEUE,
  GoogleMaintenanceService,
  GoogleWorkspaceJobs,
  MAINTENANCE_EVERY_MS,
  MAINTENANCE_JOB,
  MailboxWatchService,
  SENT_CHECK_JOB,
  sentCheckJobSchema,
  SyncDirectoryUseCase,
} from '@sealpost/google-workspace';
import { type Job, Queue } from 'bull';

// Jobs at once per worker, per kind: each makes a few Google calls in flight of its own.
const CONCURRENCY = 2;

/**
 * Runs the Google Workspace connector's jobs: directory syncs (then watches for new
 * mailboxes), SENT history reads, and the hourly maintenance (a repeatable job, registered by
 * every worker under one id, so it runs once per hour in all).
 */
@Injectable()
export class GoogleWorkspaceProcessor implements OnModuleInit {
  private readonly logger = new Logger(GoogleWorkspaceProcessor.name);

  constructor(
    @InjectQueue(GOOGLE_WORKSPACE_QUEUE) private readonly queue: Queue,
    private readonly directory: SyncDirectoryUseCase,
    private readonly watches: MailboxWatchService,
    private readonly sentMail: CheckSentMailUseCase,
    private readonly maintenance: GoogleMaintenanceService,
    private readonly jobs: GoogleWorkspaceJobs,
  ) {}

  async onModuleInit(): Promise<void> {
    void this.queue.process(DIRECTORY_SYNC_JOB, CONCURRENCY, (job: Job) => this.syncDirectory(job));
    void this.queue.process(SENT_CHECK_JOB, CONCURRENCY, (job: Job) => this.checkSent(job));
    void this.queue.process(MAINTENANCE_JOB, 1, () => this.maintenance.run());
    try {
      await this.queue.add(
        MAINTENANCE_JOB,
        {},
        {
          repeat: { every: MAINTENANCE_EVERY_MS },
          jobId: 'google-maintenance',
          removeOnComplete: true,
        },
      );
    } catch (error) {
      // Redis is down at boot; the next worker start registers it.
      this.logger.warn({ err: safeErrorFields(error) }, 'google maintenance not scheduled');
    }
  }

  private async syncDirectory(job: Job): Promise<void> {
    const parsed = directorySyncJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error({ jobId: job.id }, 'google directory job rejected: invalid data');
      return;
    }
    const result = await this.directory.execute(parsed.data.organisationId).catch((error) => {
      // The connection was removed after the job was queued: nothing left to sync.
      if (error instanceof SealpostError && error.code === ErrorCode.NotFound) {
        return null;
      }
      throw error;
    });
    if (result?.status === 'synced') {
      await this.watches.renewDue(parsed.data.organisationId);
    }
  }

  private async checkSent(job: Job): Promise<void> {
    const parsed = sentCheckJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error({ jobId: job.id }, 'gmail sent-check job rejected: invalid data');
      return;
    }
    try {
      const { organisationId, mailboxId } = parsed.data;
      const result = await this.sentMail.execute(organisationId, mailboxId);
      if (result.status === 'checked' && result.decideAt) {
        await this.jobs.checkSentAt(organisationId, mailboxId, result.decideAt);
      }
    } catch (error) {
      this.logger.warn(
        {
          organisationId: parsed.data.organisationId,
          mailboxId: parsed.data.mailboxId,
          err: safeErrorFields(error),
        },
        'gmail sent check failed',
      );
      // Bull tries again with backoff; the maintenance pass covers what is left after that.
      throw error;
    }
  }
}
