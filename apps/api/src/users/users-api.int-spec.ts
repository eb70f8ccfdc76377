import { randomUUID } from 'node:crypto';
import { Clock, type ErrorBody, type UserView } from '@sealpost/core';
import { FakeClock } from '@sealpost/core/testing';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';
import { totpCode } from './testing/independent-totp';
import { type Session, signInKit } from './testing/sign-in-kit';

type Kit = ReturnType<typeof signInKit>;

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
}

const MINUTE = 60_000;
// Routes open without a credential, or to any signed-in person for their own session.
const PUBLIC_ROUTES = [
  '/health',
  '/v1/auth/enrol',
  '/v1/auth/enrol/confirm',
  '/v1/auth/sessions',
  // Called by EHRs and Google, each authenticated by its own secret or signed token.
  '/fhir/notifications/{connectionId}',
  '/google/pubsub/{connectionId}',
];
// A person's own credentials: a session, and add-in tokens for their own mail client.
const OWN_SESSION_ROUTES = [
  '/v1/auth/session',
  '/v1/auth/session/end',
  '/v1/addin/tokens',
  '/v1/addin/tokens/{id}',
];
// POSTs that only read (a segment's size for a filter too long for a query string; a report
// request, which queues a build of counts and changes no data).
const READING_POSTS = ['/v1/segments/count', '/v1/reports'];

describe('Users, roles and sessions (real app, PostgreSQL)', () => {
  const clock = new FakeClock();
  let api: TestApi;
  let tenant: Tenant;
  let enrol: Kit['enrol'];
  let signIn: Kit['signIn'];
  let sessionOf: Kit['sessionOf'];

  beforeAll(async () => {
    api = await startTestApi({ SEALPOST_LOG_LEVEL: 'error' }, (module) =>
      module.overrideProvider(Clock).useValue(clock),
    );
    tenant = await createTenant(api, ['admin']);
    ({ enrol, signIn, sessionOf } = signInKit(api, clock, tenant.token));
  });

  afterAll(async () => {
    await api?.close();
  });

  function auditActions(userId: string) {
    return api.dataSource.query<{ action: string; outcome: string; details: object }[]>(
      `SELECT action, outcome, details FROM audit_records
        WHERE organisation_id = $1 AND (actor_id = $2 OR target_id = $2) ORDER BY sequence`,
      [tenant.organisationId, userId],
    );
  }

  it('invites, enrols with an authenticator code, signs in, and shows the session', async () => {
    const user = await enrol('compliance');

    const signedIn = await signIn(user);
    const current = await call<{ user: UserView; scopes: string[] }>(
      api,
      'GET',
      '/v1/auth/session',
      { token: signedIn.body.token },
    );

    expect(signedIn.status).toBe(201);
    expect(signedIn.body.token).toMatch(/^sps_/);
    expect(signedIn.body.idleTimeoutSeconds).toBe(1800);
    expect(Date.parse(signedIn.body.expiresAt) - clock.now().getTime()).toBe(12 * 60 * MINUTE);
    expect(current.status).toBe(200);
    expect(current.body.user).toMatchObject({ id: user.id, role: 'compliance', mfaEnrolled: true });
    expect(current.body.scopes).not.toContain('admin');
    expect(signedIn.text).not.toMatch(/password|secret|totp_/i);
  });

  it('hands out an otpauth URI and refuses a password shorter than 12 characters', async () => {
    const invited = await call<{ inviteToken: string }>(api, 'POST', '/v1/users', {
      token: tenant.token,
      body: { email: `u-${randomUUID()}@clinic.example`, name: 'Sam', role: 'sender' },
    });

    const short = await call<ErrorBody>(api, 'POST', '/v1/auth/enrol', {
      body: { inviteToken: invited.body.inviteToken, password: 'short' },
    });
    const begun = await call<{ uri: string; secret: string }>(api, 'POST', '/v1/auth/enrol', {
      body: { inviteToken: invited.body.inviteToken, password: 'a long enough passphrase' },
    });

    expect(short.status).toBe(422);
    expect(short.body.code).toBe('validation_failed');
    const uri = new URL(begun.body.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('issuer')).toBe('Sealpost');
    expect(uri.searchParams.get('secret')).toBe(begun.body.secret);
  });

  it('refuses an unknown address, a wrong password, a wrong code and a replayed code', async () => {
    const user = await enrol('sender');
    clock.advance(30_000);
    const code = totpCode(user.secret, clock.now());
    const body = { email: user.email, password: user.password, code };

    const unknown = await call<ErrorBody>(api, 'POST', '/v1/auth/sessions', {
      body: { ...body, email: `nobody-${randomUUID()}@clinic.example` },
    });
    const badPassword = await call<ErrorBody>(api, 'POST', '/v1/auth/sessions', {
      body: { ...body, password: 'not the password' },
    });
    const badCode = await call<ErrorBody>(api, 'POST', '/v1/auth/sessions', {
      body: { ...body, code: code === '000000' ? '000001' : '000000' },
    });
    const first = await call<Session>(api, 'POST', '/v1/auth/sessions', { body });
    const replayed = await call<ErrorBody>(api, 'POST', '/v1/auth/sessions', { body });

    expect([unknown.status, badPassword.status, badCode.status]).toEqual([401, 401, 401]);
    expect(unknown.body.message).toBe(badPassword.body.message);
    expect(first.status).toBe(201);
    expect(replayed.status).toBe(401);
  });

  it('locks after five failures until an admin unlocks; each failure is audited', async () => {
    const user = await enrol('sender');

    const failures = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      failures.push((await signIn(user, { password: 'wrong password!' })).status);
    }
    const whileLocked = await signIn(user);
    const unlocked = await call<UserView>(api, 'POST', `/v1/users/${user.id}/unlock`, {
      token: tenant.token,
    });
    const afterUnlock = await signIn(user);
    const audited = await auditActions(user.id);

    expect(failures).toEqual([401, 401, 401, 401, 401]);
    expect(whileLocked.status).toBe(423);
    expect(whileLocked.body.code).toBe('account_locked');
    expect(unlocked.body.lockedUntil).toBeNull();
    expect(afterUnlock.status).toBe(201);
    const failed = audited.filter((record) => record.action === 'session.sign_in_failed');
    expect(failed).toHaveLength(5);
    expect(failed.every((record) => record.outcome === 'failure')).toBe(true);
    expect(failed[4].details).toMatchObject({ locked: true, factor: 'password' });
    expect(audited.map((record) => record.action)).toEqual(
      expect.arrayContaining(['user.invited', 'user.enrolled', 'user.unlocked', 'session.started']),
    );
  });

  it('locks on wrong codes too, and lets the lock lapse after fifteen minutes', async () => {
    const user = await enrol('sender');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await signIn(user, { code: 'not-a-code' });
    }

    const locked = await signIn(user);
    clock.advance(15 * MINUTE);
    const lapsed = await signIn(user);

    expect(locked.status).toBe(423);
    expect(lapsed.status).toBe(201);
  });

  it('ends a session after 30 idle minutes, and after 12 hours however busy', async () => {
    const user = await enrol('sender');
    const idle = await sessionOf(user);
    clock.advance(29 * MINUTE);
    const beforeIdle = await call(api, 'GET', '/v1/auth/session', { token: idle });
    clock.advance(30 * MINUTE);
    const afterIdle = await call<ErrorBody>(api, 'GET', '/v1/auth/session', { token: idle });

    const busy = await sessionOf(user);
    const busyStatuses: number[] = [];
    for (let elapsed = 0; elapsed + 25 < 12 * 60; elapsed += 25) {
      clock.advance(25 * MINUTE);
      busyStatuses.push((await call(api, 'GET', '/v1/auth/session', { token: busy })).status);
    }
    clock.advance(25 * MINUTE);
    const afterTwelveHours = await call(api, 'GET', '/v1/auth/session', { token: busy });

    expect(beforeIdle.status).toBe(200);
    expect(afterIdle.status).toBe(401);
    expect(afterIdle.body.code).toBe('unauthenticated');
    expect(busyStatuses).toHaveLength(28);
    expect(new Set(busyStatuses)).toEqual(new Set([200]));
    expect(afterTwelveHours.status).toBe(401);
  });

  it('signs out: the token stops working at once', async () => {
    const token = await sessionOf(await enrol('sender'));

    const ended = await call(api, 'POST', '/v1/auth/session/end', { token });
    const after = await call(api, 'GET', '/v1/auth/session', { token });

    expect(ended.status).toBe(204);
    expect(after.status).toBe(401);
  });

  it('lets break-glass in only with a reason, sealed, and flags it in the audit', async () => {
    const user = await enrol('break_glass');
    const reason = `Night pager: ${randomUUID()} needs the stuck outbox checked`;

    const withoutReason = await signIn(user);
    const withReason = await signIn(user, { breakGlassReason: reason });
    const session = await call<{ breakGlass: boolean }>(api, 'GET', '/v1/auth/session', {
      token: withReason.body.token,
    });
    const invited = await call<{ user: UserView }>(api, 'POST', '/v1/users', {
      token: withReason.body.token,
      body: { email: `bg-${randomUUID()}@clinic.example`, name: 'Kim', role: 'sender' },
    });
    const [byBreakGlass] = await api.dataSource.query<{ actor_type: string }[]>(
      `SELECT actor_type FROM audit_records WHERE target_id = $1 AND action = 'user.invited'`,
      [invited.body.user.id],
    );
    const audited = await auditActions(user.id);
    const [stored] = await api.dataSource.query<{ row: string }[]>(
      `SELECT s::text AS row FROM user_sessions s WHERE id = $1`,
      [withReason.body.sessionId],
    );

    expect(withoutReason.status).toBe(422);
    expect(withReason.status).toBe(201);
    expect(session.body.breakGlass).toBe(true);
    expect(audited.find((record) => record.action === 'session.break_glass_started')).toMatchObject(
      { details: { breakGlass: true, role: 'break_glass' } },
    );
    expect(byBreakGlass.actor_type).toBe('break_glass_user');
    expect(stored.row).not.toContain(reason.slice(0, 20));
    expect(JSON.stringify(audited)).not.toContain(reason.slice(0, 20));
  });

  it('refuses a reason from an account that is not break-glass', async () => {
    const response = await signIn(await enrol('admin'), {
      breakGlassReason: 'just because, really',
    });

    expect(response.status).toBe(422);
  });

  it('lets only an owner grant owner, and keeps the last owner', async () => {
    const owner = await enrol('owner');
    const admin = await enrol('admin', await sessionOf(owner));
    const adminSession = await sessionOf(admin);
    const ownerSession = await sessionOf(owner);

    const byAdmin = await call<ErrorBody>(api, 'POST', '/v1/users', {
      token: adminSession,
      body: { email: `o-${randomUUID()}@clinic.example`, name: 'Ola', role: 'owner' },
    });
    const demoteLast = await call<ErrorBody>(api, 'PATCH', `/v1/users/${owner.id}`, {
      token: ownerSession,
      body: { role: 'admin' },
    });
    const disableLast = await call<ErrorBody>(api, 'POST', `/v1/users/${owner.id}/disable`, {
      token: adminSession,
    });
    const promote = await call<UserView>(api, 'PATCH', `/v1/users/${admin.id}`, {
      token: ownerSession,
      body: { role: 'owner' },
    });
    const demoteNow = await call<UserView>(api, 'PATCH', `/v1/users/${owner.id}`, {
      token: ownerSession,
      body: { role: 'admin' },
    });

    expect(byAdmin.status).toBe(403);
    expect(demoteLast.status).toBe(409);
    expect(demoteLast.body.code).toBe('invalid_state');
    expect(disableLast.status).toBe(403);
    expect(promote.body.role).toBe('owner');
    expect(demoteNow.status).toBe(200);
    expect(demoteNow.body.role).toBe('admin');
  });

  it('ends every session of a user who is disabled, and refuses their sign-in', async () => {
    const user = await enrol('sender');
    const token = await sessionOf(user);

    const disabled = await call<UserView>(api, 'POST', `/v1/users/${user.id}/disable`, {
      token: tenant.token,
    });
    const after = await call(api, 'GET', '/v1/auth/session', { token });
    const again = await signIn(user);

    expect(disabled.body.status).toBe('disabled');
    expect(after.status).toBe(401);
    expect(again.status).toBe(401);
  });

  it('replaces lost credentials with an invitation; the old password stops working', async () => {
    const user = await enrol('sender');

    const reset = await call<{ inviteToken: string; user: UserView }>(
      api,
      'POST',
      `/v1/users/${user.id}/reset-credentials`,
      { token: tenant.token },
    );
    const oldPassword = await signIn(user);

    expect(reset.body.user.status).toBe('invited');
    expect(reset.body.inviteToken).toMatch(/^spi_/);
    expect(oldPassword.status).toBe(401);
  });

  it('refuses an invitation after 72 hours', async () => {
    const invited = await call<{ inviteToken: string }>(api, 'POST', '/v1/users', {
      token: tenant.token,
      body: { email: `late-${randomUUID()}@clinic.example`, name: 'Lee', role: 'sender' },
    });
    clock.advance(72 * 60 * MINUTE);

    const late = await call<ErrorBody>(api, 'POST', '/v1/auth/enrol', {
      body: { inviteToken: invited.body.inviteToken, password: 'a long enough passphrase' },
    });

    expect(late.status).toBe(401);
  });

  it("answers 404 for another organisation's user, and lists only its own", async () => {
    const other = await createTenant(api, ['admin']);
    const user = await enrol('sender');

    const read = await call<ErrorBody>(api, 'GET', `/v1/users/${user.id}`, { token: other.token });
    const change = await call<ErrorBody>(api, 'PATCH', `/v1/users/${user.id}`, {
      token: other.token,
      body: { name: 'Taken over' },
    });
    const listed = await call<{ data: UserView[] }>(api, 'GET', '/v1/users', {
      token: other.token,
    });

    expect(read.status).toBe(404);
    expect(change.status).toBe(404);
    expect(listed.body.data).toEqual([]);
  });

  it('walks every documented route: a compliance officer changes nothing', async () => {
    const compliance = await sessionOf(await enrol('compliance'));
    const { body: document } = await call<OpenApiDocument>(api, 'GET', '/v1/openapi.json');
    const changing = Object.entries(document.paths)
      .filter(
        ([path]) => ![...PUBLIC_ROUTES, ...OWN_SESSION_ROUTES, ...READING_POSTS].includes(path),
      )
      .flatMap(([path, operations]) =>
        Object.keys(operations)
          .filter((method) => ['post', 'put', 'patch', 'delete'].includes(method))
          .map((method) => ({ method, path: path.replace(/\{[^}]+\}/g, randomUUID()) })),
      );

    const answers = await Promise.all(
      changing.map(async ({ method, path }) => {
        const body = method === 'delete' ? undefined : {};
        const response = await call<ErrorBody>(api, method.toUpperCase(), path, {
          token: compliance,
          body,
        });
        return { route: `${method.toUpperCase()} ${path}`, status: response.status };
      }),
    );
    const readMessages = await call(api, 'GET', '/v1/messages', { token: compliance });
    const readUsers = await call(api, 'GET', '/v1/users', { token: compliance });

    expect(changing.length).toBeGreaterThanOrEqual(20);
    expect(answers).toEqual(answers.map(({ route }) => ({ route, status: 403 })));
    expect(readMessages.status).toBe(200);
    expect(readUsers.status).toBe(403);
  });

  it('gives a sender sending and reading, and nothing of administration', async () => {
    const sender = await sessionOf(await enrol('sender'));

    const send = await call<ErrorBody>(api, 'POST', '/v1/messages', { token: sender, body: {} });
    const policy = await call(api, 'GET', '/v1/policy', { token: sender });
    const keys = await call(api, 'POST', '/v1/api-keys', {
      token: sender,
      body: { name: 'mine', scopes: ['admin'] },
    });

    expect(send.status).toBe(422);
    expect(policy.status).toBe(403);
    expect(keys.status).toBe(403);
  });
});
