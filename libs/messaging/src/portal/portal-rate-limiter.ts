import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import Redis from 'ioredis';

export interface RateVerdict {
  allowed: boolean;
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters in Redis (INCR, then EXPIRE on the first hit), shared by every api
 * process. Keys hold a hash of what is counted, so no IP address sits in Redis in clear.
 */
@Injectable()
export class PortalRateLimiter implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(@Inject(SEALPOST_CONFIG) config: SealpostConfig) {
    this.redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined);
    this.prefix = `${config.redis.queuePrefix}:portal-limit`;
  }

  async hit(bucket: string, subject: string, limit: number, windowSeconds: number) {
    const key = `${this.prefix}:${bucket}:${createHash('sha256').update(subject).digest('hex')}`;
    const [[, count], [, ttl]] = (await this.redis.multi().incr(key).ttl(key).exec()) as [
      [null, number],
      [null, number],
    ];
    if (count === 1 || ttl < 0) {
      await this.redis.expire(key, windowSeconds);
    }
    const verdict: RateVerdict = {
      allowed: count <= limit,
      retryAfterSeconds: ttl > 0 ? ttl : windowSeconds,
    };
    return verdict;
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
