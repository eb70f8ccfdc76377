import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { safeErrorFields } from '@sealpost/core';
import { DataSource } from 'typeorm';

// Stripe keeps keys 24 hours; clients may rely on retries within that window.
const RETENTION_HOURS = 24;
const PRUNE_EVERY_MS = 10 * 60 * 1000;

/** Forgets Idempotency-Keys once they are older than the promised retention. */
@Injectable()
export class IdempotencyKeyPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyKeyPruner.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async prune(): Promise<number> {
    try {
      const [, deleted] = await this.dataSource.query<[unknown, number]>(
        `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`,
        [RETENTION_HOURS],
      );
      return deleted;
    } catch (error) {
      this.logger.warn({ err: safeErrorFields(error) }, 'idempotency key pruning failed');
      return 0;
    }
  }
}
