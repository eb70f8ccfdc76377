import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bull';
import {
  DIRECTORY_SYNC_JOB,
  type DirectorySyncJob,
  GOOGLE_JOB_ATTEMPTS,
  GOOGLE_JOB_BACKOFF_MS,
  GOOGLE_WORKSPACE_QUEUE,
  SENT_CHECK_JOB,
  type SentCheckJob,
} from './google-workspace-jobs';

const RETRIED = {
  attempts: GOOGLE_JOB_ATTEMPTS,
  backoff: { type: 'exponential', delay: GOOGLE_JOB_BACKOFF_MS },
  removeOnComplete: true,
  removeOnFail: true,
};

/** Hands the connector's work to the worker through Bull. */
@Injectable()
export class GoogleWorkspaceJobs {
  constructor(@InjectQueue(GOOGLE_WORKSPACE_QUEUE) private readonly queue: Queue) {}

  async syncDirectory(organisationId: string): Promise<void> {
    const data: DirectorySyncJob = { v: 1, organisationId };
    await this.queue.add(DIRECTORY_SYNC_JOB, data, RETRIED);
  }

  /**
   * One job per announced position: a copy of the same push is ignored by Bull, and a later
   * push is a new job, so a change announced while a read runs is not skipped.
   */
  async checkSent(organisationId: string, mailboxId: string, historyId: string): Promise<void> {
    const data: SentCheckJob = { v: 1, organisationId, mailboxId };
    await this.queue.add(SENT_CHECK_JOB, data, {
      ...RETRIED,
      jobId: `sent-${mailboxId}-${historyId}`,
    });
  }

  /** A read at `at`, when undecided sent messages of the mailbox are due to be judged. */
  async checkSentAt(organisationId: string, mailboxId: string, at: Date): Promise<void> {
    const data: SentCheckJob = { v: 1, organisationId, mailboxId };
    await this.queue.add(SENT_CHECK_JOB, data, {
      ...RETRIED,
      delay: Math.max(0, at.getTime() - Date.now()),
      jobId: `sent-${mailboxId}-at-${at.getTime()}`,
    });
  }
}
