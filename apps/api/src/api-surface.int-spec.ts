import { randomUUID } from 'node:crypto';
import { type ErrorBody } from '@sealpost/core';
import { call, startTestApi, type TestApi } from './testing/test-api';

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];
// Open without a credential: health, and how a person enrols and signs in. A new public route
// must be added here on purpose.
const PUBLIC_ROUTES = [
  '/health',
  '/v1/auth/enrol',
  '/v1/auth/enrol/confirm',
  '/v1/auth/sessions',
  // Public keys an EHR checks SMART client assertions with.
  '/fhir/jwks/{organisationId}',
];

describe('API surface (real PostgreSQL and Redis)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('reports healthy with PostgreSQL and Redis up', async () => {
    const response = await call<{ status: string; checks: Record<string, string> }>(
      api,
      'GET',
      '/health',
    );

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up' } });
  });

  it('publishes an OpenAPI document that lists /v1/messages', async () => {
    const response = await call<OpenApiDocument>(api, 'GET', '/v1/openapi.json');

    expect(response.status).toBe(200);
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(['/v1/messages', '/v1/messages/{id}']),
    );
    expect(Object.keys(response.body.paths['/v1/messages'])).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
  });

  it('refuses every documented route but the public ones without a credential', async () => {
    const { body: document } = await call<OpenApiDocument>(api, 'GET', '/v1/openapi.json');
    const routes = Object.entries(document.paths)
      .filter(([path]) => !PUBLIC_ROUTES.includes(path))
      .flatMap(([path, operations]) =>
        Object.keys(operations)
          .filter((method) => HTTP_METHODS.includes(method))
          .map((method) => ({ method, path: path.replace(/\{[^}]+\}/g, randomUUID()) })),
      );

    const answers = await Promise.all(
      routes.map(async ({ method, path }) => {
        const body = ['get', 'delete'].includes(method) ? undefined : {};
        const response = await call<ErrorBody>(api, method.toUpperCase(), path, { body });
        return { route: `${method.toUpperCase()} ${path}`, status: response.status };
      }),
    );

    expect(routes.length).toBeGreaterThanOrEqual(5);
    expect(answers).toEqual(answers.map(({ route }) => ({ route, status: 401 })));
  });
});
