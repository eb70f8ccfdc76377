import { type ErrorBody } from '@sealpost/core';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';
import { type ConnectorSummary } from './connector-summaries';

describe('GET /v1/connectors (real PostgreSQL)', () => {
  let api: TestApi;
  let orgA: Tenant;
  let orgB: Tenant;

  beforeAll(async () => {
    api = await startTestApi();
    orgA = await createTenant(api, ['connectors:manage', 'gateway:manage', 'fhir:manage']);
    orgB = await createTenant(api, ['admin']);
  });

  afterAll(async () => {
    await api?.close();
  });

  const overview = async (tenant: Tenant) =>
    (
      await call<{ data: ConnectorSummary[] }>(api, 'GET', '/v1/connectors', {
        token: tenant.token,
      })
    ).body.data;

  it('lists every connector of the organisation with its health, nothing set up yet', async () => {
    const connectors = await overview(orgB);

    expect(connectors.map(({ connector, health }) => ({ connector, health }))).toEqual([
      { connector: 'smtp-gateway', health: 'not_configured' },
      { connector: 'microsoft365', health: 'not_configured' },
      { connector: 'google-workspace', health: 'not_configured' },
      { connector: 'fhir', health: 'not_configured' },
    ]);
  });

  it("shows what the caller's organisation set up, and not another's", async () => {
    await call(api, 'POST', '/v1/gateway/credentials', {
      token: orgA.token,
      body: { name: 'Exchange Online' },
    });
    const created = await call<{ id: string }>(api, 'POST', '/v1/fhir/connections', {
      token: orgA.token,
      body: {
        name: 'Main EHR',
        baseUrl: 'https://ehr.example.test/fhir/r4',
        authMode: 'bearer',
        bearerToken: 'not-a-real-token',
      },
    });
    expect(created.status).toBe(201);

    const mine = await overview(orgA);
    const theirs = await overview(orgB);

    expect(mine.find((c) => c.connector === 'smtp-gateway')).toMatchObject({
      health: 'ok',
      details: { credentials: { active: 1 } },
    });
    expect(mine.find((c) => c.connector === 'fhir')).toMatchObject({
      health: 'unknown',
      details: { connections: [{ id: created.body.id, name: 'Main EHR', syncs: { failed: 0 } }] },
    });
    expect(theirs.every((c) => c.health === 'not_configured')).toBe(true);
  });

  it('needs the connectors:manage scope', async () => {
    const sender = await createTenant(api, ['gateway:manage']);
    const response = await call<ErrorBody>(api, 'GET', '/v1/connectors', { token: sender.token });

    expect([response.status, response.body.code]).toEqual([403, 'insufficient_scope']);
  });
});
