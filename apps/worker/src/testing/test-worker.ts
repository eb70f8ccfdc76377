import { randomBytes } from 'node:crypto';
import { Test, type TestingModule, type TestingModuleBuilder } from '@nestjs/testing';
import { type Env, loadConfig, type SealpostConfig } from '@sealpost/core';
import { createTestDatabase } from '@sealpost/core/testing';
import Redis from 'ioredis';
import { WorkerModule } from '../worker.module';

/** The whole worker as main.ts builds it, on a fresh database and its own queue prefix. */
export interface TestWorker {
  worker: TestingModule;
  config: SealpostConfig;
  /** Closes the worker, drops the database and removes the prefix's Redis keys. */
  close(): Promise<void>;
}

/** `override` replaces providers (a clock the test moves) before the worker is built. */
export async function startTestWorker(
  env: Env = {},
  override: (builder: TestingModuleBuilder) => TestingModuleBuilder = (builder) => builder,
): Promise<TestWorker> {
  const database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
    SEALPOST_QUEUE_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    SEALPOST_LOG_LEVEL: 'silent',
    ...env,
  });
  const worker = await override(
    Test.createTestingModule({ imports: [WorkerModule.forRoot(config)] }),
  ).compile();
  await worker.init();
  return {
    worker,
    config,
    close: async () => {
      await worker.close();
      await database.drop();
      const redis = new Redis(config.redis.url);
      const keys = await redis.keys(`${config.redis.queuePrefix}:*`);
      if (keys.length) {
        await redis.del(...keys);
      }
      redis.disconnect();
    },
  };
}
