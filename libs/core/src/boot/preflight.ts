import { type SealpostConfig } from '../config/config.types';
import { migrateDatabase } from '../database/migrate';
import { checkRedis } from '../redis/check-redis';
import { BootError } from './boot-error';

export interface PreflightLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

/**
 * Everything a process checks before it serves: database present and migrated, Redis
 * reachable and safe for queues. Throws BootError with the one line to show.
 */
export async function preflight(config: SealpostConfig, logger: PreflightLogger): Promise<void> {
  const applied = await migrateDatabase(config.database.url);
  if (applied.length) {
    logger.info({ migrations: applied }, 'database migrated');
  }

  const redis = await checkRedis(config.redis.url);
  if (redis.maxmemoryPolicy !== 'noeviction') {
    // An evicting Redis silently drops queued jobs; outbox recovery would hide the loss
    // only after a delay, so production refuses it outright.
    const policy = redis.maxmemoryPolicy ?? 'unknown (CONFIG GET refused)';
    if (config.environment === 'production') {
      throw new BootError(
        `Redis maxmemory-policy is ${policy}; queues need noeviction. ` +
          'Run `redis-cli CONFIG SET maxmemory-policy noeviction` (and set it in redis.conf).',
      );
    }
    logger.warn({ maxmemoryPolicy: policy }, 'redis maxmemory-policy should be noeviction');
  }

  if (config.crypto.masterKeySource === 'generated-file') {
    logger.warn(
      { dataDir: config.dataDir },
      'using a generated development master key; set SEALPOST_MASTER_KEY in production',
    );
  }
}
