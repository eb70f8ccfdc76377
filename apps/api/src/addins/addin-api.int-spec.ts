import { createHash } from 'node:crypto';
import { Clock, type ErrorBody } from '@sealpost/core';
import { FakeClock } from '@sealpost/core/testing';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';
import { type EnrolledUser, signInKit } from '../users/testing/sign-in-kit';

type Kit = ReturnType<typeof signInKit>;

interface Issued {
  token: string;
  id: string;
  client: string;
  expiresAt: string;
}

describe('Outlook add-in tokens and checks (real app, PostgreSQL)', () => {
  const clock = new FakeClock();
  let api: TestApi;
  let tenant: Tenant;
  let kit: Kit;
  let dana: EnrolledUser;

  beforeAll(async () => {
    api = await startTestApi({}, (module) => module.overrideProvider(Clock).useValue(clock));
    tenant = await createTenant(api, ['admin']);
    kit = signInKit(api, clock, tenant.token);
    dana = await kit.enrol('sender');
  });

  afterAll(async () => {
    await api?.close();
  });

  async function issueFor(user: EnrolledUser): Promise<Issued> {
    const session = await kit.sessionOf(user);
    const issued = await call<Issued>(api, 'POST', '/v1/addin/tokens', {
      token: session,
      body: { client: 'outlook' },
    });
    expect(issued.status).toBe(201);
    return issued.body;
  }

  it('issues a token to a signed-in person, stored only as a hash and audited', async () => {
    const issued = await issueFor(dana);

    expect(issued.token).toMatch(/^spa_[A-Za-z0-9_-]{43}$/);
    const [row] = await api.dataSource.query<{ token_hash: Buffer; user_id: string }[]>(
      `SELECT token_hash, user_id FROM addin_tokens WHERE id = $1`,
      [issued.id],
    );
    expect(row.user_id).toBe(dana.id);
    expect(row.token_hash.equals(createHash('sha256').update(issued.token).digest())).toBe(true);
    const audit = await api.dataSource.query<{ action: string; actor_id: string }[]>(
      `SELECT action, actor_id FROM audit_records WHERE target_id = $1`,
      [issued.id],
    );
    expect(audit).toEqual([{ action: 'addin_token.issued', actor_id: dana.id }]);
  });

  it('answers the subject tag, the PHI check and the preview to the token', async () => {
    const { token } = await issueFor(dana);

    const settings = await call(api, 'GET', '/v1/addin/settings', { token });
    expect(settings.body).toEqual({ subjectTag: '[secure]' });

    const phi = await call(api, 'POST', '/v1/addin/phi-check', {
      token,
      body: { subject: 'Results', text: 'Her SSN is 123-45-6789.' },
    });
    expect(phi.status).toBe(200);
    expect(phi.body).toEqual({ phiDetected: true, detectors: ['ssn'], subjectTag: '[secure]' });
    expect(phi.text).not.toContain('6789');

    const clean = await call(api, 'POST', '/v1/addin/phi-check', {
      token,
      body: { subject: 'Lunch', text: 'See you at noon.' },
    });
    expect(clean.body).toEqual({ phiDetected: false, detectors: [], subjectTag: '[secure]' });

    const preview = await call<any>(api, 'POST', '/v1/addin/preview', {
      token,
      body: {
        from: dana.email,
        recipients: ['patient@example.test'],
        subject: 'Results',
        headers: { 'X-Sealpost-Encrypt': '1' },
      },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.recipients).toEqual([
      expect.objectContaining({
        address: 'patient@example.test',
        action: 'send',
        protectionRequired: true,
        protectionReasons: expect.arrayContaining(['X-Sealpost-Encrypt header']),
      }),
    ]);
  });

  it('refuses bad drafts with 422 and names the field, not its value', async () => {
    const { token } = await issueFor(dana);
    const reply = await call<ErrorBody>(api, 'POST', '/v1/addin/preview', {
      token,
      body: { from: dana.email, recipients: ['not an address'], subject: 'SSN 123-45-6789' },
    });
    expect(reply.status).toBe(422);
    expect(reply.body.code).toBe('validation_failed');
    expect(reply.text).not.toContain('not an address');
    expect(reply.text).not.toContain('6789');
  });

  it('can do nothing else: other routes and signed-in routes answer 403', async () => {
    const { token } = await issueFor(dana);
    for (const [method, path] of [
      ['GET', '/v1/messages'],
      ['POST', '/v1/policy/preview'],
      ['GET', '/v1/auth/session'],
      ['POST', '/v1/addin/tokens'],
    ]) {
      const body = method === 'POST' ? {} : undefined;
      const reply = await call<ErrorBody>(api, method, path, { token, body });
      expect([path, reply.status, reply.body.code]).toEqual([path, 403, 'insufficient_scope']);
    }
  });

  it('is never held by an API key: keys neither get the scope nor mint tokens', async () => {
    const key = await call<ErrorBody>(api, 'POST', '/v1/api-keys', {
      token: tenant.token,
      body: { name: 'shared add-in key', scopes: ['addin:use'] },
    });
    expect(key.status).toBe(422);

    const minted = await call<ErrorBody>(api, 'POST', '/v1/addin/tokens', {
      token: tenant.token,
      body: { client: 'outlook' },
    });
    expect(minted.status).toBe(403);
  });

  it('stops working once revoked by its owner', async () => {
    const issued = await issueFor(dana);
    const session = await kit.sessionOf(dana);

    const revoked = await call<any>(api, 'DELETE', `/v1/addin/tokens/${issued.id}`, {
      token: session,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();

    const after = await call(api, 'GET', '/v1/addin/settings', { token: issued.token });
    expect(after.status).toBe(401);
    const audit = await api.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_records WHERE target_id = $1 ORDER BY sequence`,
      [issued.id],
    );
    expect(audit.map((row) => row.action)).toEqual(['addin_token.issued', 'addin_token.revoked']);
  });

  it("lists a person's own tokens, and all of the organisation's to a user manager", async () => {
    const lee = await kit.enrol('sender');
    const mine = await issueFor(lee);
    const danas = await issueFor(dana);

    const own = await call<any>(api, 'GET', '/v1/addin/tokens', {
      token: await kit.sessionOf(lee),
    });
    expect(own.body.data.map((token: { id: string }) => token.id)).toEqual([mine.id]);
    expect(JSON.stringify(own.body)).not.toContain('spa_');

    const admin = await kit.sessionOf(await kit.enrol('admin'));
    const all = await call<any>(api, 'GET', '/v1/addin/tokens', { token: admin });
    const ids = all.body.data.map((token: { id: string }) => token.id);
    expect(ids).toEqual(expect.arrayContaining([mine.id, danas.id]));
  });

  it("is not found by another organisation's admin, and stays valid", async () => {
    const issued = await issueFor(dana);
    const other = await createTenant(api, ['admin']);
    const otherKit = signInKit(api, clock, other.token);
    const otherAdmin = await otherKit.sessionOf(await otherKit.enrol('admin'));

    const reply = await call<ErrorBody>(api, 'DELETE', `/v1/addin/tokens/${issued.id}`, {
      token: otherAdmin,
    });
    expect(reply.status).toBe(404);
    expect((await call(api, 'GET', '/v1/addin/settings', { token: issued.token })).status).toBe(
      200,
    );
  });

  it('stops working when the person is disabled', async () => {
    const lee = await kit.enrol('sender');
    const issued = await issueFor(lee);
    const disabled = await call(api, 'POST', `/v1/users/${lee.id}/disable`, {
      token: tenant.token,
    });
    expect(disabled.status).toBe(200);

    expect((await call(api, 'GET', '/v1/addin/settings', { token: issued.token })).status).toBe(
      401,
    );
  });

  it('expires after 90 days', async () => {
    const issued = await issueFor(dana);
    clock.advance(91 * 24 * 3600_000);
    expect((await call(api, 'GET', '/v1/addin/settings', { token: issued.token })).status).toBe(
      401,
    );
  });
});
