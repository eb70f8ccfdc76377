import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bull';
import { type ErrorBody } from '@sealpost/core';
import {
  GOOGLE_WORKSPACE_QUEUE,
  type GoogleConnectionView,
  type GoogleWorkspaceStatus,
} from '@sealpost/google-workspace';
import { type FakeGoogle, startFakeGoogle } from '@sealpost/test-peers/google';
import { type Queue } from 'bull';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

const TOPIC = 'projects/sealpost-test/topics/gmail-sent';

/** The Google Workspace admin API and Pub/Sub push endpoint on the real app, over HTTP. */
describe('Google Workspace connector API (real PostgreSQL and Redis, loopback Google)', () => {
  let api: TestApi;
  let google: FakeGoogle;
  let orgA: Tenant;
  let orgB: Tenant;
  let connection: GoogleConnectionView;
  let mailboxId: string;
  const address = 'clinician@clinic-a.example';

  const pushBody = (historyId: number | string, emailAddress = address) => ({
    message: {
      data: Buffer.from(JSON.stringify({ emailAddress, historyId })).toString('base64'),
      messageId: String(Date.now()),
      publishTime: new Date().toISOString(),
    },
    subscription: 'projects/sealpost-test/subscriptions/gmail-push',
  });
  const push = (body: unknown, headers: Record<string, string> = {}, path = connection.id) =>
    call<ErrorBody>(api, 'POST', `/google/pubsub/${path}`, { body, headers });
  const bearer = (claims: Record<string, unknown> = {}, options = {}) => {
    const token = google.signPushToken({ aud: connection.pushAudience, ...claims }, options);
    return { authorization: `Bearer ${token}` };
  };
  const notified = async () =>
    (
      await api.dataSource.query<{ notified: string | null }[]>(
        `SELECT notified_history_id::text AS notified FROM google_mailboxes WHERE id = $1`,
        [mailboxId],
      )
    )[0].notified;
  const queue = () => api.app.get<Queue>(getQueueToken(GOOGLE_WORKSPACE_QUEUE));
  const auditActions = async (organisationId: string) =>
    (
      await api.dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_records WHERE organisation_id = $1 AND action LIKE 'google%'
          ORDER BY sequence`,
        [organisationId],
      )
    ).map((row) => row.action);

  beforeAll(async () => {
    google = await startFakeGoogle();
    api = await startTestApi({
      SEALPOST_GOOGLE_API_ROOT_URL: google.rootUrl,
      SEALPOST_GOOGLE_TOKEN_URL: google.tokenUrl,
      SEALPOST_GOOGLE_CERTS_URL: google.certsUrl,
    });
    orgA = await createTenant(api, ['connectors:manage']);
    orgB = await createTenant(api, ['connectors:manage']);
  });

  afterAll(async () => {
    await queue()?.empty();
    await api?.close();
    await google?.close();
  });

  it('creates the connection, never shows the key and keeps it sealed, audited', async () => {
    const created = await call<GoogleConnectionView>(
      api,
      'POST',
      '/v1/connectors/google-workspace',
      {
        token: orgA.token,
        body: {
          adminSubject: 'Admin@Clinic-A.example',
          domain: 'clinic-a.example',
          serviceAccountKey: google.serviceAccountKey,
          pubsubTopic: TOPIC,
          pushServiceAccount: 'pubsub-push@sealpost-test.iam.gserviceaccount.com',
        },
      },
    );
    const viewed = await call(api, 'GET', '/v1/connectors/google-workspace', { token: orgA.token });

    expect(created.status).toBe(201);
    connection = created.body;
    expect(connection).toMatchObject({
      customerId: 'my_customer',
      adminSubject: 'admin@clinic-a.example',
      clientEmail: google.serviceAccountKey.client_email,
      pushAuth: 'oidc',
      pushEndpoint: `http://localhost:3000/google/pubsub/${connection.id}`,
      pushAudience: `http://localhost:3000/google/pubsub/${connection.id}`,
    });
    const privateKeyBody = google.serviceAccountKey.private_key.split('\n')[1];
    expect(created.text + viewed.text).not.toContain(privateKeyBody);
    const [row] = await api.dataSource.query<{ key_ciphertext: Buffer }[]>(
      `SELECT key_ciphertext FROM google_workspace_connections WHERE id = $1`,
      [connection.id],
    );
    expect(row.key_ciphertext.toString('latin1')).not.toContain(privateKeyBody);
    expect(await auditActions(orgA.organisationId)).toEqual([
      'google_workspace_connection.created',
    ]);

    const [mailbox] = await api.dataSource.query<{ id: string }[]>(
      `INSERT INTO google_mailboxes (id, organisation_id, connection_id, user_google_id, address,
         history_id) VALUES ($1, $2, $3, '1001', $4, 500) RETURNING id`,
      [randomUUID(), orgA.organisationId, connection.id, address],
    );
    mailboxId = mailbox.id;
  });

  it('refuses a second connection and bad settings with a code and a sentence', async () => {
    const again = await call<ErrorBody>(api, 'POST', '/v1/connectors/google-workspace', {
      token: orgA.token,
      body: { adminSubject: 'a@clinic-a.example', serviceAccountKey: google.serviceAccountKey },
    });
    const badKey = await call<ErrorBody>(api, 'POST', '/v1/connectors/google-workspace', {
      token: orgB.token,
      body: {
        adminSubject: 'a@clinic-b.example',
        serviceAccountKey: { ...google.serviceAccountKey, private_key: 'not a key' },
      },
    });
    const badTopic = await call<ErrorBody>(api, 'POST', '/v1/connectors/google-workspace', {
      token: orgB.token,
      body: {
        adminSubject: 'a@clinic-b.example',
        serviceAccountKey: google.serviceAccountKey,
        pubsubTopic: 'gmail-sent',
      },
    });
    const noKey = await call<ErrorBody>(api, 'POST', '/v1/connectors/google-workspace', {
      token: orgB.token,
      body: { adminSubject: 'a@clinic-b.example' },
    });

    expect([again.status, badKey.status, badTopic.status, noKey.status]).toEqual([
      409, 422, 422, 422,
    ]);
    expect(badKey.body).toMatchObject({ code: 'invalid_value' });
    expect(badKey.body.message).toContain('private_key');
    expect(badKey.text).not.toContain('not a key');
    expect(badTopic.body.message).toContain('pubsubTopic');
  });

  it('takes a valid Google-signed push: keeps its history id, queues a read', async () => {
    const response = await push(pushBody(9876), bearer());

    expect(response.status).toBe(204);
    expect(await notified()).toBe('9876');
    const job = await queue().getJob(`sent-${mailboxId}-9876`);
    expect(job?.data).toEqual({ v: 1, organisationId: orgA.organisationId, mailboxId });
    expect(google.requests.filter((r) => r.path === '/oauth2/v1/certs').length).toBe(1);

    // An older push (Pub/Sub delivers out of order) never moves the position back.
    expect((await push(pushBody(9000), bearer())).status).toBe(204);
    expect(await notified()).toBe('9876');
  });

  it('refuses a push without token, for another audience, expired, unsigned, forged', async () => {
    const now = Math.floor(Date.now() / 1000);
    const [header, payload] = google.signPushToken({ aud: connection.pushAudience }).split('.');
    const unsigned =
      Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url') +
      `.${payload}.`;
    const forged = `${header}.${Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        exp: now + 60,
      }),
    ).toString('base64url')}.${google.signPushToken({}).split('.')[2]}`;

    const answers = await Promise.all([
      push(pushBody(20000)),
      push(pushBody(20001), bearer({ aud: 'https://elsewhere.example/push' })),
      push(pushBody(20002), bearer({ iat: now - 7200, exp: now - 3600 })),
      push(pushBody(20003), { authorization: `Bearer ${unsigned}` }),
      push(pushBody(20004), bearer({}, { unsignedKid: true })),
      push(pushBody(20005), { authorization: `Bearer ${forged}` }),
      push(pushBody(20006), bearer({ iss: 'https://attacker.example' })),
      push(pushBody(20007), bearer({ email: 'someone@else.iam.gserviceaccount.com' })),
      push(pushBody(20008), bearer({ email_verified: false })),
    ]);

    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401]);
    expect(answers.every((a) => a.body.code === 'unauthenticated')).toBe(true);
    expect(answers.map((a) => a.text).join('')).not.toContain('eyJ');
    expect(await notified()).toBe('9876');
  });

  it('answers 422 to a push that is not a Gmail notification, after the token check', async () => {
    const response = await push({ message: { data: 'bm90IGpzb24=' } }, bearer());

    expect(response.status).toBe(422);
    expect(response.body.code).toBe('validation_failed');
  });

  it('acknowledges a push for an address it does not watch, and stores nothing', async () => {
    const response = await push(pushBody(30000, 'someone@elsewhere.example'), bearer());

    expect(response.status).toBe(204);
    expect(await notified()).toBe('9876');
  });

  it('takes a token-authenticated push for a connection set up that way', async () => {
    const created = await call<GoogleConnectionView>(
      api,
      'POST',
      '/v1/connectors/google-workspace',
      {
        token: orgB.token,
        body: {
          adminSubject: 'admin@clinic-b.example',
          serviceAccountKey: google.serviceAccountKey,
          pushAuth: 'token',
        },
      },
    );
    const { pushToken, id } = created.body;

    const right = await call(api, 'POST', `/google/pubsub/${id}?token=${pushToken}`, {
      body: pushBody(1),
    });
    const wrong = await call(api, 'POST', `/google/pubsub/${id}?token=x${pushToken}`, {
      body: pushBody(1),
    });
    const oidcInstead = await push(pushBody(1), bearer({ aud: created.body.pushAudience }), id);
    const viewed = await call(api, 'GET', '/v1/connectors/google-workspace', { token: orgB.token });

    expect(created.body.pushEndpoint).toBe(
      `http://localhost:3000/google/pubsub/${id}?token=${pushToken}`,
    );
    expect([right.status, wrong.status, oidcInstead.status]).toEqual([204, 401, 401]);
    expect(viewed.text).not.toContain(pushToken!);
  });

  it('reports status and queues a sync on request, audited', async () => {
    const status = await call<GoogleWorkspaceStatus>(
      api,
      'GET',
      '/v1/connectors/google-workspace/status',
      { token: orgA.token },
    );
    const sync = await call(api, 'POST', '/v1/connectors/google-workspace/sync', {
      token: orgA.token,
    });

    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      connector: 'google-workspace',
      connectionId: connection.id,
      lastDirectorySyncAt: null,
      lastError: null,
      counts: { users: 0, groups: 0, mailboxes: 1, watchedMailboxes: 0 },
    });
    expect(sync.status).toBe(202);
    const waiting = await queue().getWaiting();
    expect(waiting.map((job) => job.data)).toContainEqual({
      v: 1,
      organisationId: orgA.organisationId,
    });
    expect(await auditActions(orgA.organisationId)).toContain('google_directory.sync_requested');
  });

  it('answers not found to another organisation and needs connectors:manage', async () => {
    const other = await createTenant(api, ['connectors:manage']);
    const reader = await createTenant(api, ['messages:read']);

    const answers = await Promise.all([
      call(api, 'GET', '/v1/connectors/google-workspace', { token: other.token }),
      call(api, 'PATCH', '/v1/connectors/google-workspace', {
        token: other.token,
        body: { enabled: false },
      }),
      call(api, 'DELETE', '/v1/connectors/google-workspace', { token: other.token }),
      call(api, 'POST', '/v1/connectors/google-workspace/sync', { token: other.token }),
    ]);
    const status = await call<GoogleWorkspaceStatus>(
      api,
      'GET',
      '/v1/connectors/google-workspace/status',
      { token: other.token },
    );
    const refused = await call<ErrorBody>(api, 'GET', '/v1/connectors/google-workspace/status', {
      token: reader.token,
    });

    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404]);
    expect(status.body).toMatchObject({ health: 'not_configured', connectionId: null });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('insufficient_scope');
  });

  it('renews every watch soon when the Pub/Sub topic changes', async () => {
    await api.dataSource.query(
      `UPDATE google_mailboxes SET watch_renewed_at = now() WHERE id = $1`,
      [mailboxId],
    );

    const changed = await call<GoogleConnectionView>(
      api,
      'PATCH',
      '/v1/connectors/google-workspace',
      { token: orgA.token, body: { pubsubTopic: 'projects/sealpost-test/topics/gmail-sent-2' } },
    );

    expect(changed.body.pubsubTopic).toBe('projects/sealpost-test/topics/gmail-sent-2');
    const [row] = await api.dataSource.query<{ watch_renewed_at: Date | null }[]>(
      `SELECT watch_renewed_at FROM google_mailboxes WHERE id = $1`,
      [mailboxId],
    );
    expect(row.watch_renewed_at).toBeNull();
  });

  it('updates and removes the connection, audited', async () => {
    const updated = await call<GoogleConnectionView>(
      api,
      'PATCH',
      '/v1/connectors/google-workspace',
      {
        token: orgA.token,
        body: { enabled: false, domain: 'clinic-a.example' },
      },
    );
    const removed = await call(api, 'DELETE', '/v1/connectors/google-workspace', {
      token: orgA.token,
    });
    const gone = await call(api, 'GET', '/v1/connectors/google-workspace', { token: orgA.token });

    expect(updated.body).toMatchObject({ enabled: false });
    expect([removed.status, gone.status]).toEqual([204, 404]);
    expect(await auditActions(orgA.organisationId)).toEqual(
      expect.arrayContaining([
        'google_workspace_connection.updated',
        'google_workspace_connection.removed',
      ]),
    );
  });
});
