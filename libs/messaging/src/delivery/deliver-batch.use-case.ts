import { Injectable, Logger } from '@nestjs/common';
import { safeErrorFields } from '@sealpost/core';
import { type DeliveryJob } from '../outbox/delivery-job';
import { DeliverRecipientUseCase } from './deliver-recipient.use-case';
import { type AttemptRecord, type ClaimedRecipient, DeliveryRecorder } from './delivery-recorder';

/**
 * Delivers a batch of one organisation's recipients: one statement claims them all, the
 * attempts run side by side, one statement records every outcome. Safe to run twice for the
 * same recipients: the lease and the status decide who sends.
 */
@Injectable()
export class DeliverBatchUseCase {
  private readonly logger = new Logger(DeliverBatchUseCase.name);

  constructor(
    private readonly recorder: DeliveryRecorder,
    private readonly recipient: DeliverRecipientUseCase,
  ) {}

  async execute(jobs: readonly DeliveryJob[]): Promise<void> {
    if (!jobs.length) {
      return;
    }
    const claimed = await this.recorder.claimMany(jobs);
    await Promise.all(
      jobs
        .filter((job) => !claimed.has(job.recipientId))
        .map((job) => this.recorder.settleUnclaimed(job)),
    );

    // Outcomes are written together once every attempt has settled; a worker that dies before
    // then leaves the leases to expire, and the relay offers those recipients again.
    const attempts = await Promise.all(
      jobs.flatMap((job) => {
        const recipient = claimed.get(job.recipientId);
        if (!recipient) {
          return [];
        }
        return [
          recipient.suppressed
            ? suppressedAttempt(job, recipient)
            : this.attemptSafely(job, recipient),
        ];
      }),
    );
    const records = attempts.filter((record): record is AttemptRecord => record !== null);
    const statuses = await this.recorder.recordMany(records);
    records.forEach((record, index) => this.logAttempt(record, statuses[index]));
  }

  /** A crash in one attempt must not lose the others' outcomes; its lease brings it back. */
  private async attemptSafely(
    job: DeliveryJob,
    claimed: ClaimedRecipient,
  ): Promise<AttemptRecord | null> {
    try {
      return await this.recipient.attempt(job, claimed);
    } catch (error) {
      this.logger.error(
        { recipientId: job.recipientId, err: safeErrorFields(error) },
        'delivery attempt crashed',
      );
      return null;
    }
  }

  private logAttempt({ job, claimed, outcome, decision }: AttemptRecord, status: string): void {
    this.logger.log(
      {
        messageId: claimed.messageId,
        recipientId: job.recipientId,
        status,
        method: decision?.method,
        attempt: claimed.attempts,
        host: outcome.host,
        reason: outcome.kind === 'failure' ? outcome.failure.reason : undefined,
        suppressed: outcome.kind === 'suppressed' || undefined,
      },
      'delivery attempt',
    );
  }
}

/** A suppressed address is not sent to: its attempt is recorded as such, without a plan. */
function suppressedAttempt(job: DeliveryJob, claimed: ClaimedRecipient): Promise<AttemptRecord> {
  return Promise.resolve({ job, claimed, outcome: { kind: 'suppressed', host: null } });
}
