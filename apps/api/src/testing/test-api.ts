import { randomBytes } from 'node:crypto';
import { type AddressInfo } from 'node:net';
import { type INestApplication } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import {
  ApiKeysService,
  type Env,
  loadConfig,
  OrganisationsService,
  type Scope,
  type SealpostConfig,
} from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { configureApiApp, createApiApp } from '../create-api-app';

/** The real HTTP app on a fresh database, listening on a free loopback port. */
export interface TestApi {
  app: INestApplication;
  config: SealpostConfig;
  baseUrl: string;
  /** For assertions on what was stored; tests never write through it except to set up. */
  dataSource: DataSource;
  close(): Promise<void>;
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface Tenant {
  organisationId: string;
  token: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, instead of JSON.stringify(body). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Builds config from `env` over test defaults; process.env is never read or changed. */
export function testConfig(databaseUrl: string, env: Env = {}): SealpostConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
    SEALPOST_QUEUE_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    SEALPOST_LOG_LEVEL: 'silent',
    ...env,
  });
}

/**
 * `override` replaces providers (ports such as DNS) before the app is built; without it the
 * app is exactly what main.ts starts.
 */
export async function startTestApi(
  env: Env = {},
  override?: (module: TestingModuleBuilder) => TestingModuleBuilder,
): Promise<TestApi> {
  const database: TestDatabase = await createTestDatabase();
  const config = testConfig(database.url, env);
  const app = override ? await buildOverridden(config, override) : await createApiApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    dataSource: app.get(DataSource),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

async function buildOverridden(
  config: SealpostConfig,
  override: (module: TestingModuleBuilder) => TestingModuleBuilder,
): Promise<INestApplication> {
  const moduleRef = await override(
    Test.createTestingModule({ imports: [AppModule.forRoot(config)] }),
  ).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, bufferLogs: true });
  configureApiApp(app, config);
  return app;
}

/** An organisation with a random name and one API key holding `scopes`. */
export async function createTenant(
  api: TestApi,
  scopes: Scope[] = ['messages:send', 'messages:read'],
): Promise<Tenant> {
  const organisation = await api.app
    .get(OrganisationsService)
    .create(`org-${randomBytes(6).toString('hex')}`);
  const key = await api.app.get(ApiKeysService).create(organisation.id, 'test key', scopes);
  return { organisationId: organisation.id, token: key.token };
}

export async function call<T = unknown>(
  api: TestApi,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) {
    headers.authorization = `Bearer ${options.token}`;
  }
  let body: string | undefined = options.rawBody;
  if (body === undefined && options.body !== undefined) {
    body = JSON.stringify(options.body);
  }
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
  }

  const response = await fetch(api.baseUrl + path, { method, headers, body });
  const text = await response.text();
  const parsed: unknown = text && isJson(response) ? JSON.parse(text) : undefined;
  return { status: response.status, headers: response.headers, text, body: parsed as T };
}

function isJson(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('application/json');
}
