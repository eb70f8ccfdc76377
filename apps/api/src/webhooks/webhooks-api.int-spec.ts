import { randomUUID } from 'node:crypto';
import {
  type ResolvedAddress,
  WebhookAddressResolver,
  type WebhookAttemptView,
  type WebhookEndpointView,
  type WebhookEndpointWithSecret,
} from '@sealpost/audit';
import { type ErrorBody } from '@sealpost/core';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

/** A fixed DNS: names the tests use, each with its answers. */
class FixedResolver extends WebhookAddressResolver {
  readonly answers: Record<string, string[]> = {
    'hooks.example.com': ['93.184.215.14'],
    'other.example.com': ['93.184.215.15'],
    'internal.example.com': ['10.1.2.3'],
    'split.example.com': ['93.184.215.16', '192.168.0.7'],
  };

  resolve(hostname: string): Promise<ResolvedAddress[]> {
    const literal = /^[\d.]+$/.test(hostname) ? 4 : hostname.includes(':') ? 6 : 0;
    if (literal) {
      return Promise.resolve([{ address: hostname, family: literal }]);
    }
    const found = this.answers[hostname];
    return found
      ? Promise.resolve(found.map((address) => ({ address, family: 4 as const })))
      : Promise.reject(new Error('ENOTFOUND'));
  }
}

describe('webhooks API (real PostgreSQL)', () => {
  let api: TestApi;
  let tenant: Tenant;
  let other: Tenant;

  const create = (body: object, token = tenant.token) =>
    call<WebhookEndpointWithSecret>(api, 'POST', '/v1/webhooks', { token, body });

  beforeAll(async () => {
    const resolver = new FixedResolver();
    api = await startTestApi({}, (module) =>
      module.overrideProvider(WebhookAddressResolver).useValue(resolver),
    );
    tenant = await createTenant(api, ['webhooks:manage']);
    other = await createTenant(api, ['webhooks:manage']);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('creates an endpoint and shows its whsec_ secret once, never again', async () => {
    const created = await create({
      url: 'https://hooks.example.com/sealpost',
      description: 'EHR bridge',
      eventTypes: ['message.delivered', 'message.opened'],
    });

    expect(created.status).toBe(201);
    expect(created.body).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        url: 'https://hooks.example.com/sealpost',
        description: 'EHR bridge',
        eventTypes: ['message.delivered', 'message.opened'],
        enabled: true,
        signing: 'hmac-sha256',
        publicKey: null,
        disabledReason: null,
      }),
    );
    const secret = created.body.secret!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);

    const fetched = await call<WebhookEndpointView>(api, 'GET', `/v1/webhooks/${created.body.id}`, {
      token: tenant.token,
    });
    const listed = await call<{ data: WebhookEndpointView[] }>(api, 'GET', '/v1/webhooks', {
      token: tenant.token,
    });
    expect(fetched.status).toBe(200);
    expect(fetched.text).not.toContain(secret.slice(6));
    expect(fetched.body).not.toHaveProperty('secret');
    expect(listed.body.data.map((endpoint) => endpoint.id)).toContain(created.body.id);
    expect(listed.text).not.toContain(secret.slice(6));
  });

  it('stores the secret sealed, not as written', async () => {
    const created = await create({ url: 'https://hooks.example.com/sealed' });
    const [row] = await api.dataSource.query<{ secret_ciphertext: Buffer }[]>(
      'SELECT secret_ciphertext FROM webhook_endpoints WHERE id = $1',
      [created.body.id],
    );
    const secretBytes = Buffer.from(created.body.secret!.slice(6), 'base64');

    expect(row.secret_ciphertext.includes(Buffer.from(created.body.secret!))).toBe(false);
    expect(row.secret_ciphertext.includes(secretBytes)).toBe(false);
  });

  it('creates an Ed25519 endpoint that shows its whpk_ public key and no secret', async () => {
    const created = await create({ url: 'https://hooks.example.com/ed', signing: 'ed25519' });

    expect(created.status).toBe(201);
    expect(created.body.secret).toBeNull();
    expect(created.body.publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
  });

  it('changes the URL, filter, description and enabled flag with PATCH', async () => {
    const created = await create({ url: 'https://hooks.example.com/a' });

    const patched = await call<WebhookEndpointView>(
      api,
      'PATCH',
      `/v1/webhooks/${created.body.id}`,
      {
        token: tenant.token,
        body: {
          url: 'https://other.example.com/b',
          eventTypes: ['message.*'],
          description: 'changed',
          enabled: false,
        },
      },
    );

    expect(patched.status).toBe(200);
    expect(patched.body).toEqual(
      expect.objectContaining({
        url: 'https://other.example.com/b',
        eventTypes: ['message.*'],
        description: 'changed',
        enabled: false,
      }),
    );
  });

  it('deletes an endpoint; it then answers 404', async () => {
    const created = await create({ url: 'https://hooks.example.com/gone' });

    const deleted = await call(api, 'DELETE', `/v1/webhooks/${created.body.id}`, {
      token: tenant.token,
    });
    const fetched = await call<ErrorBody>(api, 'GET', `/v1/webhooks/${created.body.id}`, {
      token: tenant.token,
    });

    expect(deleted.status).toBe(204);
    expect(fetched.status).toBe(404);
    expect(fetched.body.code).toBe('not_found');
  });

  it('rotates the secret: a new one shown once, the old one valid for 24 hours', async () => {
    const created = await create({ url: 'https://hooks.example.com/rotate' });

    const before = Date.now();
    const rotated = await call<WebhookEndpointWithSecret>(
      api,
      'POST',
      `/v1/webhooks/${created.body.id}/rotate-secret`,
      { token: tenant.token },
    );

    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    const validUntil = Date.parse(rotated.body.previousSecretValidUntil!);
    expect(validUntil - before).toBeGreaterThan(24 * 3600_000 - 60_000);
    expect(validUntil - before).toBeLessThan(24 * 3600_000 + 60_000);
  });

  it.each([
    ['loopback', 'https://127.0.0.1/hook'],
    ['a private 10.x address', 'https://10.0.0.5/hook'],
    ['link-local cloud metadata', 'https://169.254.169.254/latest/meta-data'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['IPv6 unique-local', 'https://[fc00::1]/hook'],
    ['a name resolving to a private address', 'https://internal.example.com/hook'],
    ['a name with one private address among public ones', 'https://split.example.com/hook'],
    ['plain http', 'http://hooks.example.com/hook'],
    ['a name that does not resolve', 'https://nowhere.example.com/hook'],
    ['credentials in the URL', 'https://user:pw@hooks.example.com/hook'],
  ])('refuses %s with 422 url_not_allowed', async (_case, url) => {
    const refused = await create({ url });

    expect(refused.status).toBe(422);
    expect(refused.body).toEqual(
      expect.objectContaining({
        code: 'invalid_value',
        details: [expect.objectContaining({ path: 'url', code: 'url_not_allowed' })],
      }),
    );
    const rows = await api.dataSource.query<unknown[]>(
      'SELECT 1 FROM webhook_endpoints WHERE url = $1',
      [url],
    );
    expect(rows).toHaveLength(0);
  });

  it('refuses a PATCH to a private address and keeps the old URL', async () => {
    const created = await create({ url: 'https://hooks.example.com/keep' });

    const refused = await call<ErrorBody>(api, 'PATCH', `/v1/webhooks/${created.body.id}`, {
      token: tenant.token,
      body: { url: 'https://10.9.9.9/hook' },
    });
    const fetched = await call<WebhookEndpointView>(api, 'GET', `/v1/webhooks/${created.body.id}`, {
      token: tenant.token,
    });

    expect(refused.status).toBe(422);
    expect(fetched.body.url).toBe('https://hooks.example.com/keep');
  });

  it('refuses an unknown event type, naming the field', async () => {
    const refused = await create({ url: 'https://hooks.example.com/x', eventTypes: ['mail.sent'] });

    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('eventTypes');
  });

  it("answers 404 for another organisation's endpoint on every route, and lists none", async () => {
    const created = await create({ url: 'https://hooks.example.com/private' });
    const id = created.body.id;
    const asOther = { token: other.token };

    const answers = await Promise.all([
      call(api, 'GET', `/v1/webhooks/${id}`, asOther),
      call(api, 'PATCH', `/v1/webhooks/${id}`, { ...asOther, body: { description: 'x' } }),
      call(api, 'DELETE', `/v1/webhooks/${id}`, asOther),
      call(api, 'POST', `/v1/webhooks/${id}/rotate-secret`, asOther),
      call(api, 'GET', `/v1/webhooks/${id}/attempts`, asOther),
      call(api, 'POST', `/v1/webhooks/${id}/messages/msg_1/replay`, asOther),
    ]);
    const listed = await call<{ data: WebhookEndpointView[] }>(api, 'GET', '/v1/webhooks', asOther);

    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404, 404]);
    expect(listed.body.data.map((endpoint) => endpoint.id)).not.toContain(id);
    const still = await call<WebhookEndpointView>(api, 'GET', `/v1/webhooks/${id}`, {
      token: tenant.token,
    });
    expect(still.body.description).toBe('');
  });

  it('answers 404 for a malformed id and for a message that does not exist', async () => {
    const created = await create({ url: 'https://hooks.example.com/r' });

    const badId = await call<ErrorBody>(api, 'GET', '/v1/webhooks/not-a-uuid', {
      token: tenant.token,
    });
    const unknownMessage = await call<ErrorBody>(
      api,
      'POST',
      `/v1/webhooks/${created.body.id}/messages/msg_999999999/replay`,
      { token: tenant.token },
    );
    const badMessage = await call<ErrorBody>(
      api,
      'POST',
      `/v1/webhooks/${created.body.id}/messages/evt-1/replay`,
      { token: tenant.token },
    );

    expect([badId.status, unknownMessage.status, badMessage.status]).toEqual([404, 404, 404]);
  });

  it('lists no attempts for a new endpoint', async () => {
    const created = await create({ url: 'https://hooks.example.com/new' });

    const attempts = await call<{ data: WebhookAttemptView[] }>(
      api,
      'GET',
      `/v1/webhooks/${created.body.id}/attempts?limit=10`,
      { token: tenant.token },
    );

    expect(attempts.status).toBe(200);
    expect(attempts.body.data).toEqual([]);
  });

  it('audits every change in the audit chain, without the URL', async () => {
    const created = await create({ url: 'https://hooks.example.com/audited?token=abc123' });
    const id = created.body.id;
    await call(api, 'PATCH', `/v1/webhooks/${id}`, {
      token: tenant.token,
      body: { description: 'x', enabled: false },
    });
    await call(api, 'POST', `/v1/webhooks/${id}/rotate-secret`, { token: tenant.token });
    await call(api, 'DELETE', `/v1/webhooks/${id}`, { token: tenant.token });

    const records = await api.dataSource.query<{ action: string; details: object }[]>(
      `SELECT action, details FROM audit_records WHERE target_id = $1 ORDER BY sequence`,
      [id],
    );
    expect(records.map((record) => record.action)).toEqual([
      'webhook_endpoint.created',
      'webhook_endpoint.updated',
      'webhook_endpoint.secret_rotated',
      'webhook_endpoint.deleted',
    ]);
    expect(records[1].details).toEqual({ fields: 'description enabled', enabled: false });
    expect(JSON.stringify(records)).not.toContain('abc123');
  });

  it('refuses a key without webhooks:manage with 403', async () => {
    const sender = await createTenant(api, ['messages:send']);

    const refused = await call<ErrorBody>(api, 'GET', '/v1/webhooks', { token: sender.token });
    const created = await call<ErrorBody>(api, 'POST', '/v1/webhooks', {
      token: sender.token,
      body: { url: 'https://hooks.example.com/x' },
    });

    expect([refused.status, created.status]).toEqual([403, 403]);
    expect(refused.body.code).toBe('insufficient_scope');
  });

  it('answers 404 for an unknown endpoint id', async () => {
    const response = await call<ErrorBody>(api, 'GET', `/v1/webhooks/${randomUUID()}`, {
      token: tenant.token,
    });

    expect(response.status).toBe(404);
  });
});
