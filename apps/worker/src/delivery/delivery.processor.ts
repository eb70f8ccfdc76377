import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig, safeErrorFields } from '@sealpost/core';
import {
  DELIVERY_QUEUE,
  DeliverBatchUseCase,
  type DeliveryBatchJob,
  deliveriesOf,
  queuedDeliverySchema,
} from '@sealpost/messaging';
import { type Job, Queue } from 'bull';

/**
 * Consumes delivery jobs. Registered by hand rather than with @Process so the concurrency
 * comes from configuration. Retries are not Bull's: the use case reschedules in PostgreSQL.
 */
@Injectable()
export class DeliveryProcessor implements OnModuleInit {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryBatchJob>,
    private readonly deliver: DeliverBatchUseCase,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  onModuleInit(): void {
    void this.queue.process('deliver', this.config.delivery.workerConcurrency, (job: Job) =>
      this.handle(job),
    );
  }

  private async handle(job: Job): Promise<void> {
    const parsed = queuedDeliverySchema.safeParse(job.data);
    if (!parsed.success) {
      // Not ours or from an incompatible version: nothing to retry, and the outbox row (if
      // any) will be offered again by the relay.
      this.logger.error({ jobId: job.id }, 'delivery job rejected: invalid data');
      return;
    }
    const deliveries = deliveriesOf(parsed.data);
    try {
      await this.deliver.execute(deliveries);
    } catch (error) {
      // The outbox rows stay; the relay offers them again once the leases end.
      this.logger.error(
        { jobId: job.id, recipients: deliveries.length, err: safeErrorFields(error) },
        'delivery batch crashed',
      );
    }
  }
}
