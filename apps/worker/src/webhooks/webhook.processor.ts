import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  DeliverWebhookUseCase,
  WEBHOOK_JOB,
  WEBHOOK_QUEUE,
  type WebhookJob,
  webhookJobSchema,
} from '@sealpost/audit';
import { safeErrorFields } from '@sealpost/core';
import { type Job, Queue } from 'bull';

// Each attempt waits on a remote receiver (up to the webhook timeout) but holds a database
// connection only briefly; 16 keeps one slow receiver from stalling the rest.
const WEBHOOK_CONCURRENCY = 16;

/**
 * Runs webhook attempts. Retries are not Bull's: the delivery row in PostgreSQL holds the
 * next attempt time, and the dispatcher hands it over again when it is due.
 */
@Injectable()
export class WebhookProcessor implements OnModuleInit {
  private readonly logger = new Logger(WebhookProcessor.name);

  constructor(
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<WebhookJob>,
    private readonly deliver: DeliverWebhookUseCase,
  ) {}

  onModuleInit(): void {
    void this.queue.process(WEBHOOK_JOB, WEBHOOK_CONCURRENCY, (job: Job) => this.handle(job));
  }

  private async handle(job: Job): Promise<void> {
    const parsed = webhookJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error({ jobId: job.id }, 'webhook job rejected: invalid data');
      return;
    }
    try {
      await this.deliver.execute(parsed.data);
    } catch (error) {
      this.logger.error(
        {
          organisationId: parsed.data.organisationId,
          deliveryId: parsed.data.deliveryId,
          err: safeErrorFields(error),
        },
        'webhook attempt crashed',
      );
    }
  }
}
