import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { safeErrorFields } from '../errors/safe-error-fields';

export interface ExpiredRowsOptions {
  /** Names the rows in log lines. */
  what: string;
  /** A DELETE of the expired rows; PostgreSQL's count of deleted rows is the answer. */
  deleteStatement: string;
  params: unknown[];
  everyMs: number;
}

/**
 * Deletes rows past their keeping time on an interval, for the lifetime of the app. A failed
 * round is logged and left to the next one: what it would have deleted only waits.
 */
export abstract class ExpiredRowsPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ExpiredRowsPruner');
  private timer?: NodeJS.Timeout;

  protected constructor(
    private readonly dataSource: DataSource,
    private readonly options: ExpiredRowsOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune(), this.options.everyMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One round; returns how many rows went. */
  async prune(): Promise<number> {
    try {
      const [, deleted] = await this.dataSource.query<[unknown, number]>(
        this.options.deleteStatement,
        this.options.params,
      );
      return deleted;
    } catch (error) {
      this.logger.warn({ what: this.options.what, err: safeErrorFields(error) }, 'pruning failed');
      return 0;
    }
  }
}
