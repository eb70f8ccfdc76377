import { Controller, Get, Inject, type OnModuleDestroy, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PublicRoute, SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import type { Response } from 'express';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';

type Check = 'up' | 'down';

// A health check that hangs is as bad as one that fails; answer within this bound.
const CHECK_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SEALPOST_CONFIG) config: SealpostConfig,
  ) {
    this.redis = new Redis(config.redis.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    this.redis.on('error', () => undefined);
  }

  @Get()
  @PublicRoute()
  async check(
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ status: string; checks: Record<string, Check> }> {
    const [postgres, redis] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(async () => {
        if (this.redis.status === 'wait' || this.redis.status === 'end') {
          await this.redis.connect();
        }
        return this.redis.ping();
      }),
    ]);
    const healthy = postgres === 'up' && redis === 'up';
    response.status(healthy ? 200 : 503);
    return { status: healthy ? 'ok' : 'degraded', checks: { postgres, redis } };
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}

async function probe(check: () => Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
