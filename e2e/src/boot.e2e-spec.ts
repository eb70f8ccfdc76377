import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { AppProcess } from './support/app-process';
import { freePort } from './support/free-port';
import { PrivateRedis } from './support/redis-server';

/** Starts an app, waits for it to stop by itself, and returns its exit code and output. */
async function bootFails(
  app: 'api' | 'worker',
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const process = new AppProcess(app, env);
  process.start();
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    process.exitCode(),
    new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 20_000))),
  ]);
  clearTimeout(timer);
  if (code === null) {
    await process.stop('SIGKILL');
  }
  return { code, output: process.logs };
}

describe('boot checks', () => {
  let database: TestDatabase;
  let base: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    base = {
      NODE_ENV: 'development',
      DATABASE_URL: database.url,
      REDIS_URL: 'redis://127.0.0.1:6379',
      SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
      SEALPOST_DATA_DIR: mkdtempSync(join(tmpdir(), 'sealpost-boot-')),
      PORT: String(await freePort()),
    };
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('stops with one line naming every bad variable', async () => {
    const { code, output } = await bootFails('api', {
      ...base,
      PORT: 'eighty',
      SEALPOST_TRANSPORT_MAP: 'example.test=nohost',
    });
    expect(code).toBe(1);
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sealpost api: configuration error: /);
    expect(lines[0]).toContain('PORT must be a whole number');
    expect(lines[0]).toContain('SEALPOST_TRANSPORT_MAP entry "example.test=nohost"');
  });

  it('requires SEALPOST_MASTER_KEY in production', async () => {
    const { code, output } = await bootFails('worker', {
      ...base,
      NODE_ENV: 'production',
      SEALPOST_MASTER_KEY: '',
    });
    expect(code).toBe(1);
    expect(output.trim()).toMatch(/^sealpost worker: .*SEALPOST_MASTER_KEY is required/);
  });

  it('says where PostgreSQL was expected and how to fix it', async () => {
    const unreachable = `postgres://postgres:hunter2@127.0.0.1:${await freePort()}/sealpost`;
    const { code, output } = await bootFails('api', { ...base, DATABASE_URL: unreachable });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(
      /cannot reach PostgreSQL at 127\.0\.0\.1:\d+\/sealpost \(ECONNREFUSED\)/,
    );
    expect(output).toContain('DATABASE_URL');
    expect(output).not.toContain('hunter2');
  });

  it('says where Redis was expected and how to fix it', async () => {
    const { code, output } = await bootFails('worker', {
      ...base,
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    });
    expect(code).toBe(1);
    expect(output.trim().split('\n').at(-1)).toMatch(
      /^sealpost worker: cannot reach Redis at 127\.0\.0\.1:\d+ .*REDIS_URL/,
    );
  });

  describe('with a Redis that evicts keys', () => {
    let redis: PrivateRedis;

    beforeAll(async () => {
      redis = await PrivateRedis.start(['--maxmemory-policy', 'allkeys-lru']);
    });

    afterAll(async () => {
      await redis?.stop();
    });

    it('refuses to start in production', async () => {
      const { code, output } = await bootFails('worker', {
        ...base,
        NODE_ENV: 'production',
        REDIS_URL: redis.url,
      });
      expect(code).toBe(1);
      expect(output.trim().split('\n').at(-1)).toMatch(
        /^sealpost worker: Redis maxmemory-policy is allkeys-lru; queues need noeviction/,
      );
    });

    it('starts with a warning in development', async () => {
      const worker = new AppProcess('worker', { ...base, REDIS_URL: redis.url });
      worker.start();
      try {
        await worker.waitForLog(/"msg":"worker started"/);
        expect(worker.logs).toMatch(/"maxmemoryPolicy":"allkeys-lru".*noeviction/);
      } finally {
        await worker.stop();
      }
    });
  });
});
