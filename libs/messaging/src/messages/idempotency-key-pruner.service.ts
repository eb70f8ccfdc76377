import { Injectable } from '@nestjs/common';
import { ExpiredRowsPruner } from '@sealpost/core';
import { DataSource } from 'typeorm';

// Stripe keeps keys 24 hours; clients may rely on retries within that window.
const RETENTION_HOURS = 24;
const PRUNE_EVERY_MS = 10 * 60 * 1000;

/** Forgets Idempotency-Keys once they are older than the promised retention. */
@Injectable()
export class IdempotencyKeyPruner extends ExpiredRowsPruner {
  constructor(dataSource: DataSource) {
    super(dataSource, {
      what: 'idempotency_keys',
      deleteStatement: `DELETE FROM idempotency_keys
                         WHERE created_at < now() - make_interval(hours => $1)`,
      params: [RETENTION_HOURS],
      everyMs: PRUNE_EVERY_MS,
    });
  }
}
