import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { standaloneAuditLog } from '@sealpost/audit';
import {
  ApiKeysService,
  CORE_ENTITIES,
  createDataSource,
  dropDatabase,
  loadConfig,
  migrateDatabase,
  OrganisationsService,
  type Scope,
} from '@sealpost/core';
import Redis from 'ioredis';
import { AppProcess } from './app-process';

export interface StackOptions {
  /** Server URL without a database; the stack makes its own database there. */
  postgresUrl: string;
  redisUrl: string;
  /** PEM of the CA that signed the sinks' certificates. */
  caPem: string;
  /** Recipient domain -> loopback port of the sink that receives its mail. */
  routes: Record<string, number>;
}

// The api answers /health once it listens; a boot that takes longer than this is broken.
const READY_TIMEOUT_MS = 60_000;

/**
 * Sealpost as an operator runs it, on a private database, queue prefix, data directory and
 * master key: the built worker and api as child processes, with one organisation and key.
 */
export class SealpostStack {
  readonly worker: AppProcess;
  readonly api: AppProcess;

  private constructor(
    readonly env: Record<string, string>,
    readonly apiUrl: string,
    private readonly dataDir: string,
  ) {
    // Lets a developer profile the apps under load, e.g. BENCH_NODE_ARGS=--cpu-prof; given as
    // arguments because Node refuses --cpu-prof in NODE_OPTIONS.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    this.worker = new AppProcess('worker', env, nodeArgs);
    this.api = new AppProcess('api', { ...env, PORT: new URL(apiUrl).port }, nodeArgs);
  }

  static async start(options: StackOptions): Promise<SealpostStack> {
    const database = new URL(options.postgresUrl);
    database.pathname = `/sealpost_bench_${randomBytes(4).toString('hex')}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'sealpost-bench-'));
    const caFile = join(dataDir, 'bench-ca.pem');
    writeFileSync(caFile, options.caPem);
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      DATABASE_URL: database.href,
      REDIS_URL: options.redisUrl,
      SEALPOST_QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`,
      SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
      SEALPOST_DATA_DIR: dataDir,
      SEALPOST_EHLO_NAME: 'sealpost.test',
      // At info the worker logs every delivery attempt and the api every request; that
      // serialisation costs CPU on the same cores and would skew the figures.
      SEALPOST_LOG_LEVEL: 'warn',
      SEALPOST_TLS_CA_FILE: caFile,
      SEALPOST_TRANSPORT_MAP: Object.entries(options.routes)
        .map(([domain, port]) => `${domain}=127.0.0.1:${port}`)
        .join(','),
    };
    const stack = new SealpostStack(env, `http://127.0.0.1:${await freePort()}`, dataDir);

    // Migrated here, once, so the two apps do not queue on the migration lock at boot.
    await migrateDatabase(env.DATABASE_URL);
    stack.worker.start();
    stack.api.start();
    await stack.waitForApi();
    return stack;
  }

  /** A new organisation and a key with `scopes`, made directly in the database. */
  async createApiKey(scopes: Scope[] = ['messages:send']): Promise<string> {
    const dataSource = createDataSource(this.env.DATABASE_URL, CORE_ENTITIES);
    await dataSource.initialize();
    try {
      const organisation = await new OrganisationsService(dataSource).create('bench');
      const auditLog = standaloneAuditLog(dataSource, loadConfig(this.env));
      const apiKeys = new ApiKeysService(dataSource, auditLog);
      const key = await apiKeys.create(organisation.id, 'bench', scopes);
      return key.token;
    } finally {
      await dataSource.destroy();
    }
  }

  /** Why the stack may have failed: which app stopped, and its last output. */
  describeApps(): string {
    return [this.api, this.worker]
      .map((app) => `${app.app} ${app.running ? 'running' : 'exited'}; last output:\n${app.tail()}`)
      .join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([this.api.stop(), this.worker.stop()]);
    await this.clearQueues();
    await dropDatabase(this.env.DATABASE_URL);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /**
   * At SEALPOST_LOG_LEVEL=warn the apps do not log that they are ready, so the api is ready
   * when /health answers; the worker is proven ready by a probe delivery (see the bench).
   */
  private async waitForApi(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      for (const app of [this.api, this.worker]) {
        if (!app.running) {
          throw new Error(`${app.app} exited during start:\n${app.tail()}`);
        }
      }
      const healthy = await fetch(`${this.apiUrl}/health`, { signal: AbortSignal.timeout(2000) })
        .then((response) => response.ok)
        .catch(() => false);
      if (healthy) {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`api not ready in ${READY_TIMEOUT_MS} ms:\n${this.api.tail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private async clearQueues(): Promise<void> {
    const redis = new Redis(this.env.REDIS_URL, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    try {
      const keys = await redis.keys(`${this.env.SEALPOST_QUEUE_PREFIX}:*`);
      if (keys.length) {
        await redis.del(...keys);
      }
    } finally {
      redis.disconnect();
    }
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') {
    throw new Error('no free port');
  }
  return address.port;
}
