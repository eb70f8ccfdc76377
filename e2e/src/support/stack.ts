import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import Redis from 'ioredis';
import { Client } from 'pg';
import { AppProcess, REPO_ROOT } from './app-process';
import { freePort } from './free-port';

const run = promisify(execFile);

export interface StackOptions {
  env?: Record<string, string>;
  apis?: number;
  workers?: number;
  redisUrl?: string;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/**
 * Sealpost as a user runs it: the built api and worker processes on their own database and
 * queue prefix, driven over HTTP, with the CLI for organisations and keys.
 */
export class Stack {
  readonly apis: AppProcess[] = [];
  readonly workers: AppProcess[] = [];
  readonly apiPorts: number[] = [];

  private constructor(
    readonly env: Record<string, string>,
    private readonly database: TestDatabase,
    private readonly dataDir: string,
  ) {}

  static async start(options: StackOptions = {}): Promise<Stack> {
    const database = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'sealpost-e2e-'));
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL: options.redisUrl ?? 'redis://127.0.0.1:6379',
      SEALPOST_QUEUE_PREFIX: `e2e${randomBytes(4).toString('hex')}`,
      SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
      SEALPOST_DATA_DIR: dataDir,
      SEALPOST_EHLO_NAME: 'sealpost.test',
      ...options.env,
    };
    const stack = new Stack(env, database, dataDir);
    for (let i = 0; i < (options.workers ?? 1); i += 1) {
      stack.workers.push(new AppProcess('worker', env));
    }
    for (let i = 0; i < (options.apis ?? 1); i += 1) {
      const port = await freePort();
      stack.apiPorts.push(port);
      stack.apis.push(new AppProcess('api', { ...env, PORT: String(port) }));
    }
    await Promise.all([...stack.workers, ...stack.apis].map((app) => stack.boot(app)));
    return stack;
  }

  async boot(app: AppProcess): Promise<void> {
    app.start();
    await app.waitForLog(/"msg":"(api listening|worker started)"/);
  }

  url(path: string, api = 0): string {
    return `http://127.0.0.1:${this.apiPorts[api]}${path}`;
  }

  async request(
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
      api?: number;
    } = {},
  ): Promise<HttpReply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) {
      headers.authorization = `Bearer ${options.token}`;
    }
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
    }
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(this.url(path, options.api ?? 0), { method, headers, body });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  /** Runs the `sealpost` CLI as a user would, against this stack's database. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run(
      process.execPath,
      [join(REPO_ROOT, 'tools', 'cli', 'bin', 'sealpost.js'), ...args],
      { env: { PATH: process.env.PATH ?? '', ...this.env } },
    );
    return stdout;
  }

  /** A new organisation and an API key for it, made through the CLI. */
  async organisation(
    scopes = 'messages:send,messages:read',
  ): Promise<{ id: string; token: string }> {
    const name = `org-${randomBytes(4).toString('hex')}`;
    const org = JSON.parse(await this.cli('org', 'create', name, '--json')) as { id: string };
    const key = JSON.parse(
      await this.cli('api-key', 'create', '--org', name, '--scopes', scopes, '--json'),
    ) as { token: string };
    return { id: org.id, token: key.token };
  }

  /** Polls GET /v1/messages/:id until every recipient satisfies `done`. */
  async waitForMessage(
    token: string,
    id: string,
    done: (status: string) => boolean = (s) => ['delivered', 'bounced', 'failed'].includes(s),
    timeoutMs = 60_000,
  ): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = await this.request('GET', `/v1/messages/${id}`, { token });
      const recipients = (reply.body?.recipients ?? []) as { status: string }[];
      if (recipients.length && recipients.every((r) => done(r.status))) {
        return reply.body;
      }
      if (Date.now() > deadline) {
        throw new Error(`message ${id} not settled: ${reply.text}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Kills a process as a crash would and starts a fresh one in its place. */
  async crashAndRestart(app: AppProcess): Promise<void> {
    await app.stop('SIGKILL');
    await this.boot(app);
  }

  /** Reads this stack's database directly, as an operator with psql would. */
  async sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  logs(): string {
    return [...this.apis, ...this.workers].map((app) => app.logs).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apis, ...this.workers].map((app) => app.stop('SIGTERM')));
    await this.clearQueues();
    await this.database.drop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async clearQueues(): Promise<void> {
    const redis = new Redis(this.env.REDIS_URL, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    try {
      const keys = await redis.keys(`${this.env.SEALPOST_QUEUE_PREFIX}:*`);
      if (keys.length) {
        await redis.del(...keys);
      }
    } catch {
      // a suite that stopped its private Redis has nothing to clear
    } finally {
      redis.disconnect();
    }
  }
}
