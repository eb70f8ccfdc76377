import { randomUUID } from 'node:crypto';
import { TrackingTokens } from '@sealpost/messaging';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

describe('tracking and organisation settings API (real PostgreSQL)', () => {
  let api: TestApi;
  let tenant: Tenant;
  let tokens: TrackingTokens;

  /** A message accepted through the API; no delivery is needed to open or click it. */
  async function aMessage(): Promise<{ messageId: string; recipientId: string }> {
    const sent = await call<any>(api, 'POST', '/v1/messages', {
      token: tenant.token,
      body: { from: 'clinic@example.org', to: ['jane@example.test'], subject: 'S', html: '<p>x' },
    });
    return { messageId: sent.body.id, recipientId: sent.body.recipients[0].id };
  }

  const eventsOf = async (messageId: string, token = tenant.token) => {
    const message = await call<any>(api, 'GET', `/v1/messages/${messageId}`, { token });
    return (message.body.events as { type: string; data: object; recipientId: string }[]).filter(
      (event) => ['opened', 'clicked'].includes(event.type),
    );
  };

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api, ['messages:send', 'messages:read', 'settings:manage']);
    tokens = api.app.get(TrackingTokens);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('answers the open pixel as an uncacheable 1x1 GIF and records the open', async () => {
    const { messageId, recipientId } = await aMessage();
    const token = tokens.sign({
      kind: 'open',
      organisationId: tenant.organisationId,
      messageId,
      recipientId,
    });

    const response = await fetch(`${api.baseUrl}/t/o/${token}`);
    const body = Buffer.from(await response.arrayBuffer());

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(body.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(body.readUInt16LE(6)).toBe(1);
    expect(body.readUInt16LE(8)).toBe(1);
    expect(await eventsOf(messageId)).toEqual([
      expect.objectContaining({ type: 'opened', recipientId, data: {} }),
    ]);
  });

  it('redirects a click with 302 to the original URL and records it without the URL', async () => {
    const { messageId, recipientId } = await aMessage();
    const url = 'https://clinic.example/results?patient=8812';
    const token = tokens.sign({
      kind: 'click',
      organisationId: tenant.organisationId,
      messageId,
      recipientId,
      link: 2,
      url,
    });

    const response = await fetch(`${api.baseUrl}/t/c/${token}`, { redirect: 'manual' });

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(url);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const events = await eventsOf(messageId);
    expect(events).toEqual([
      expect.objectContaining({ type: 'clicked', data: { link: 2, urlHash: expect.any(String) } }),
    ]);
    expect(JSON.stringify(events)).not.toContain('8812');
  });

  it('answers 404 to a tampered or unknown token and redirects nowhere', async () => {
    const { messageId, recipientId } = await aMessage();
    const token = tokens.sign({
      kind: 'click',
      organisationId: tenant.organisationId,
      messageId,
      recipientId,
      link: 0,
      url: 'https://clinic.example/',
    });
    const tampered = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    const unknown = tokens.sign({
      kind: 'open',
      organisationId: tenant.organisationId,
      messageId: randomUUID(),
      recipientId: randomUUID(),
    });

    for (const path of [`/t/c/${tampered}`, `/t/o/${unknown}`, '/t/c/nonsense', `/t/o/${token}`]) {
      const response = await fetch(api.baseUrl + path, { redirect: 'manual' });
      expect(response.status).toBe(404);
      expect(response.headers.get('location')).toBeNull();
      expect(((await response.json()) as { code: string }).code).toBe('not_found');
    }
    expect(await eventsOf(messageId)).toEqual([]);
  });

  it("does not record another organisation's recipient under a token naming this one", async () => {
    const { messageId, recipientId } = await aMessage();
    const other = await createTenant(api);
    const token = tokens.sign({
      kind: 'open',
      organisationId: other.organisationId,
      messageId,
      recipientId,
    });

    expect((await fetch(`${api.baseUrl}/t/o/${token}`)).status).toBe(404);
    expect(await eventsOf(messageId)).toEqual([]);
  });

  it('shows and changes the tracking setting of the caller organisation only', async () => {
    const other = await createTenant(api, ['settings:manage']);

    const initial = await call<any>(api, 'GET', '/v1/organisation/settings', {
      token: tenant.token,
    });
    const changed = await call<any>(api, 'PUT', '/v1/organisation/settings', {
      token: tenant.token,
      body: { tracking: { enabled: false } },
    });
    const theirs = await call<any>(api, 'GET', '/v1/organisation/settings', {
      token: other.token,
    });

    expect(initial.body).toEqual({ tracking: { enabled: true } });
    expect(changed.body).toEqual({ tracking: { enabled: false } });
    expect(theirs.body).toEqual({ tracking: { enabled: true } });
    await call(api, 'PUT', '/v1/organisation/settings', {
      token: tenant.token,
      body: { tracking: { enabled: true } },
    });
  });

  it('refuses a bad settings body with every problem, and a key without the scope', async () => {
    const bad = await call<any>(api, 'PUT', '/v1/organisation/settings', {
      token: tenant.token,
      body: { tracking: { enabled: 'yes' }, colour: 'red' },
    });
    const sender = await createTenant(api, ['messages:send']);
    const forbidden = await call<any>(api, 'GET', '/v1/organisation/settings', {
      token: sender.token,
    });

    expect(bad.status).toBe(422);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'colour',
      'tracking.enabled',
    ]);
    expect(forbidden.status).toBe(403);
  });

  it('accepts tracking: false on a send and refuses a non-boolean', async () => {
    const base = { from: 'clinic@example.org', to: ['jane@example.test'], subject: 'S', text: 'x' };

    const off = await call<any>(api, 'POST', '/v1/messages', {
      token: tenant.token,
      body: { ...base, tracking: false },
    });
    const bad = await call<any>(api, 'POST', '/v1/messages', {
      token: tenant.token,
      body: { ...base, tracking: 'no' },
    });

    expect(off.status).toBe(202);
    expect(bad.status).toBe(422);
    expect(bad.body.details).toEqual([{ path: 'tracking', message: expect.any(String) }]);
  });
});
