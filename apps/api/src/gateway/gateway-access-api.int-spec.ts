import { type ErrorBody } from '@sealpost/core';
import {
  type CreatedGatewayCredential,
  type GatewayStatus,
  type SenderRangeView,
} from '@sealpost/messaging';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

describe('SMTP gateway access API (real PostgreSQL)', () => {
  let api: TestApi;
  let orgA: Tenant;
  let orgB: Tenant;
  let sender: Tenant;

  beforeAll(async () => {
    api = await startTestApi();
    orgA = await createTenant(api, ['gateway:manage']);
    orgB = await createTenant(api, ['admin']);
    sender = await createTenant(api, ['messages:send']);
  });

  afterAll(async () => {
    await api?.close();
  });

  const auditActions = async (organisationId: string) =>
    (
      await api.dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_records WHERE organisation_id = $1 AND action LIKE 'gateway%'
          ORDER BY sequence`,
        [organisationId],
      )
    ).map((row) => row.action);

  it('creates a credential whose password is shown once and stored only hashed', async () => {
    const created = await call<CreatedGatewayCredential>(api, 'POST', '/v1/gateway/credentials', {
      token: orgA.token,
      body: { name: 'Exchange Online' },
    });
    const listed = await call<{ data: Record<string, unknown>[] }>(
      api,
      'GET',
      '/v1/gateway/credentials',
      { token: orgA.token },
    );

    expect(created.status).toBe(201);
    expect(created.body.username).toMatch(/^spg_[0-9a-f]{16}$/);
    expect(created.body.password.length).toBeGreaterThanOrEqual(43);
    expect(listed.body.data).toEqual([
      expect.objectContaining({ id: created.body.id, name: 'Exchange Online', revokedAt: null }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.password);
    const [row] = await api.dataSource.query<{ secret_hash: Buffer }[]>(
      'SELECT secret_hash FROM gateway_credentials WHERE id = $1',
      [created.body.id],
    );
    expect(row.secret_hash.toString('latin1')).not.toContain(created.body.password);
  });

  it("neither lists nor revokes another organisation's credentials", async () => {
    const created = await call<CreatedGatewayCredential>(api, 'POST', '/v1/gateway/credentials', {
      token: orgA.token,
      body: { name: 'mine' },
    });

    const listedByB = await call<{ data: unknown[] }>(api, 'GET', '/v1/gateway/credentials', {
      token: orgB.token,
    });
    const revokedByB = await call<ErrorBody>(
      api,
      'DELETE',
      `/v1/gateway/credentials/${created.body.id}`,
      { token: orgB.token },
    );

    expect(listedByB.body.data).toEqual([]);
    expect([revokedByB.status, revokedByB.body.code]).toEqual([404, 'not_found']);
    const revokedByA = await call(api, 'DELETE', `/v1/gateway/credentials/${created.body.id}`, {
      token: orgA.token,
    });
    expect(revokedByA.status).toBe(204);
  });

  it('adds, lists and removes sender ranges, normalised, per organisation', async () => {
    const added = await call<SenderRangeView>(api, 'POST', '/v1/gateway/sender-ranges', {
      token: orgA.token,
      body: { cidr: '203.0.113.77/24', senderDomains: ['Clinic.Example.org'] },
    });
    const again = await call<ErrorBody>(api, 'POST', '/v1/gateway/sender-ranges', {
      token: orgA.token,
      body: { cidr: '203.0.113.0/24' },
    });
    const ofB = await call<{ data: unknown[] }>(api, 'GET', '/v1/gateway/sender-ranges', {
      token: orgB.token,
    });
    const removedByB = await call(api, 'DELETE', `/v1/gateway/sender-ranges/${added.body.id}`, {
      token: orgB.token,
    });
    const removed = await call(api, 'DELETE', `/v1/gateway/sender-ranges/${added.body.id}`, {
      token: orgA.token,
    });

    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      cidr: '203.0.113.0/24',
      senderDomains: ['clinic.example.org'],
    });
    expect([again.status, again.body.code]).toEqual([409, 'already_exists']);
    expect(ofB.body.data).toEqual([]);
    expect([removedByB.status, removed.status]).toEqual([404, 204]);
  });

  it('refuses a range that is not an address or CIDR, naming the field (422)', async () => {
    for (const cidr of ['10.0.0.0/33', 'mail.example.org', '10.0.0.0/8/1', '::1/129']) {
      const response = await call<ErrorBody>(api, 'POST', '/v1/gateway/sender-ranges', {
        token: orgA.token,
        body: { cidr },
      });

      expect([response.status, response.body.code]).toEqual([422, 'validation_failed']);
      expect(response.body.details).toEqual([expect.objectContaining({ path: 'cidr' })]);
    }
  });

  it('needs the gateway:manage scope', async () => {
    for (const path of ['/v1/gateway/credentials', '/v1/gateway/status']) {
      const response = await call<ErrorBody>(api, 'GET', path, { token: sender.token });

      expect([response.status, response.body.code]).toEqual([403, 'insufficient_scope']);
    }
  });

  it("shows the caller's gateway status: its credentials and ranges, no one else's", async () => {
    const response = await call<GatewayStatus>(api, 'GET', '/v1/gateway/status', {
      token: orgB.token,
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      credentials: { active: 0 },
      recent: { hours: 24, messages: 0, copies: { delivered: 0, pending: 0 } },
    });
  });

  it('refuses a raw MIME message in POST /v1/messages: only the gateway stores one', async () => {
    const response = await call<ErrorBody>(api, 'POST', '/v1/messages', {
      token: orgB.token,
      body: {
        from: 'clinic@example.org',
        to: ['patient@example.test'],
        subject: 'x',
        text: 'x',
        raw: 'Bcc: someone@example.test\r\n\r\nforged',
      },
    });

    expect([response.status, response.body.code]).toEqual([422, 'validation_failed']);
  });

  it('records every change in the audit chain', async () => {
    expect(await auditActions(orgA.organisationId)).toEqual([
      'gateway_credential.created',
      'gateway_credential.created',
      'gateway_credential.revoked',
      'gateway_sender_range.added',
      'gateway_sender_range.removed',
    ]);
  });
});
