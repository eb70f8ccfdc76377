import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bull';
import { ApiKeysService, type ErrorBody } from '@sealpost/core';
import { DEFAULT_POLICY } from '@sealpost/encryption';
import { GatewayReceipts, type PortalLink, ReplyFromPortalUseCase } from '@sealpost/messaging';
import {
  AuditSentItemUseCase,
  DeliverReplyToMailboxUseCase,
  HandleLifecycleUseCase,
  type LifecycleJob,
  M365_QUEUE,
  type M365ConnectionView,
  type M365Status,
  type SentItemJob,
  SentItemsSubscriptions,
} from '@sealpost/microsoft365';
import {
  type FakeMicrosoftGraph,
  startFakeMicrosoftGraph,
} from '@sealpost/test-peers/microsoft-graph';
import { issueCertificate, createTestCa } from '@sealpost/test-peers';
import { type Job, type Queue } from 'bull';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

const guid = () => randomUUID();

/** The connector on the real api against a loopback Graph that follows the documented shapes. */
describe('Microsoft 365 connector (real PostgreSQL and Redis, loopback Graph)', () => {
  let graph: FakeMicrosoftGraph;
  let api: TestApi;
  let queue: Queue;
  let orgA: Tenant;
  let orgB: Tenant;
  const tenantId = guid();
  const clientId = guid();
  const clientSecret = `secret-${randomBytes(16).toString('hex')}`;
  const alice = {
    id: guid(),
    mail: 'alice@clinic.example',
    userPrincipalName: 'alice@clinic.example',
    displayName: 'Alice',
    accountEnabled: true,
  };
  const bob = {
    id: guid(),
    mail: 'bob@clinic.example',
    userPrincipalName: 'bob@clinic.example',
    displayName: 'Bob',
    accountEnabled: true,
  };
  const carol = {
    id: guid(),
    mail: null,
    userPrincipalName: 'carol@clinic.example',
    displayName: 'Carol',
    accountEnabled: true,
  };
  const protectedGroup = guid();
  const optOutGroup = guid();

  const directory = async (organisationId: string) => ({
    users: (
      await api.dataSource.query<{ id: string }[]>(
        `SELECT id FROM m365_users WHERE organisation_id = $1 ORDER BY id`,
        [organisationId],
      )
    ).map((row) => row.id),
    members: (
      await api.dataSource.query<{ group_id: string; user_id: string }[]>(
        `SELECT group_id, user_id FROM m365_group_members WHERE organisation_id = $1
          ORDER BY group_id, user_id`,
        [organisationId],
      )
    ).map((row) => `${row.group_id}:${row.user_id}`),
  });
  const auditActions = async (organisationId: string) =>
    (
      await api.dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_records WHERE organisation_id = $1 AND action LIKE 'm365%'
          ORDER BY sequence`,
        [organisationId],
      )
    ).map((row) => row.action);
  const sync = (tenant: Tenant) =>
    call<Record<string, any>>(api, 'POST', '/v1/connectors/microsoft365/sync', {
      token: tenant.token,
    });
  const waitingJobs = (): Promise<Job[]> => queue.getJobs(['waiting', 'delayed']);

  beforeAll(async () => {
    graph = await startFakeMicrosoftGraph();
    graph.register({ tenantId, clientId, clientSecret });
    graph.putUser(alice);
    graph.putUser(bob);
    graph.putUser(carol);
    graph.putGroup(protectedGroup, 'Clinicians', [alice.id, bob.id]);
    graph.putGroup(optOutGroup, 'Billing', [carol.id]);
    const caFile = join(mkdtempSync(join(tmpdir(), 'm365-')), 'ca.pem');
    writeFileSync(caFile, graph.caPem);
    api = await startTestApi({
      SEALPOST_M365_LOGIN_URL: graph.origin,
      SEALPOST_M365_GRAPH_URL: graph.origin,
      SEALPOST_TLS_CA_FILE: caFile,
      // Policy previews resolve no MX: the recipient domain goes to a closed loopback port.
      SEALPOST_TRANSPORT_MAP: 'patients.example=127.0.0.1:9',
    });
    // Graph must reach the api's notification URL, whose port is known only once it listens;
    // the subscriptions read the public URL from the config object at call time.
    api.config.portal.publicUrl = api.baseUrl;
    queue = api.app.get<Queue>(getQueueToken(M365_QUEUE));
    orgA = await createTenant(api, ['connectors:manage']);
    orgB = await createTenant(api, ['connectors:manage']);
  });

  afterAll(async () => {
    await api?.close();
    await graph?.close();
  });

  it('connects with a client secret it never shows again, sealed and audited', async () => {
    const created = await call<M365ConnectionView>(api, 'POST', '/v1/connectors/microsoft365', {
      token: orgA.token,
      body: { tenantId, clientId, clientSecret },
    });
    const again = await call<ErrorBody>(api, 'POST', '/v1/connectors/microsoft365', {
      token: orgA.token,
      body: { tenantId, clientId, clientSecret },
    });
    const viewed = await call(api, 'GET', '/v1/connectors/microsoft365', { token: orgA.token });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tenantId,
      clientId,
      credentialKind: 'secret',
      enabled: true,
    });
    expect(created.text + viewed.text).not.toContain(clientSecret);
    const [row] = await api.dataSource.query<{ credential_ciphertext: Buffer }[]>(
      `SELECT credential_ciphertext FROM m365_connections WHERE organisation_id = $1`,
      [orgA.organisationId],
    );
    expect(row.credential_ciphertext.toString('latin1')).not.toContain(clientSecret);
    expect(again.status).toBe(409);
    expect(await auditActions(orgA.organisationId)).toEqual(['m365_connection.created']);
  });

  it('refuses bad settings with a code and a sentence', async () => {
    const badTenant = await call<ErrorBody>(api, 'POST', '/v1/connectors/microsoft365', {
      token: orgB.token,
      body: { tenantId: 'not a tenant', clientId, clientSecret },
    });
    const noCredential = await call<ErrorBody>(api, 'POST', '/v1/connectors/microsoft365', {
      token: orgB.token,
      body: { tenantId, clientId },
    });

    expect([badTenant.status, noCredential.status]).toEqual([422, 422]);
    expect(badTenant.body.code).toBe('invalid_value');
    expect(noCredential.body.message).toContain('clientSecret');
  });

  it('syncs users and groups by pages of delta, subscribes Sent Items, one token', async () => {
    const response = await sync(orgA);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      users: { mode: 'full', changes: 3 },
      groups: { mode: 'full', changes: 2 },
      subscriptions: { created: 2, failed: 0 },
    });
    expect(await directory(orgA.organisationId)).toEqual({
      users: [alice.id, bob.id, carol.id].sort(),
      members: [
        `${protectedGroup}:${alice.id}`,
        `${protectedGroup}:${bob.id}`,
        `${optOutGroup}:${carol.id}`,
      ].sort(),
    });
    const deltaCalls = graph.requests.filter((request) => request.path === '/v1.0/users/delta');
    expect(deltaCalls[0].query.get('$select')).toBe(
      'id,mail,userPrincipalName,displayName,accountEnabled',
    );
    // Three users in pages of two: the second request follows @odata.nextLink.
    expect(deltaCalls[1].query.get('$skiptoken')).toBe('2');
    const groupCall = graph.requests.find((request) => request.path === '/v1.0/groups/delta');
    expect(groupCall?.query.get('$select')).toBe('displayName,members');
    expect(graph.requests.filter((request) => request.path.includes('/oauth2/'))).toHaveLength(1);
    expect(
      deltaCalls.every((request) => /^Bearer .+/.test(request.headers.authorization ?? '')),
    ).toBe(true);

    const subscriptions = [...graph.subscriptions.values()];
    expect(subscriptions.map((s) => s.resource).sort()).toEqual(
      [alice.id, bob.id].map((id) => `users/${id}/mailFolders('SentItems')/messages`).sort(),
    );
    expect(subscriptions[0]).toMatchObject({
      changeType: 'created',
      notificationUrl: `${api.baseUrl}/connectors/microsoft365/notifications`,
      lifecycleNotificationUrl: `${api.baseUrl}/connectors/microsoft365/lifecycle`,
    });
    expect(subscriptions[0].clientState.length).toBeGreaterThanOrEqual(32);
    const minutes = (Date.parse(subscriptions[0].expirationDateTime) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(10_000);
    expect(minutes).toBeLessThanOrEqual(10_080);
  });

  it('applies only the changes from the stored delta link, waiting out a 429', async () => {
    graph.removeMember(protectedGroup, bob.id);
    graph.addMember(optOutGroup, alice.id);
    graph.putUser({ ...bob, displayName: 'Robert' });
    graph.throttle(1, 1);
    const before = graph.requests.length;
    const started = Date.now();

    const response = await sync(orgA);

    expect(response.body).toMatchObject({
      users: { mode: 'delta', changes: 1 },
      groups: { mode: 'delta', changes: 2 },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const [throttled, retried] = graph.requests.slice(before);
    expect(retried.path).toBe(throttled.path);
    expect(retried.query.get('$deltatoken')).toBe(throttled.query.get('$deltatoken'));
    expect((await directory(orgA.organisationId)).members).toEqual(
      [
        `${protectedGroup}:${alice.id}`,
        `${optOutGroup}:${alice.id}`,
        `${optOutGroup}:${carol.id}`,
      ].sort(),
    );
    const [renamed] = await api.dataSource.query<{ display_name: string }[]>(
      `SELECT display_name FROM m365_users WHERE organisation_id = $1 AND id = $2`,
      [orgA.organisationId, bob.id],
    );
    expect(renamed.display_name).toBe('Robert');
  });

  it('starts over with a full sync when Graph answers 410 for an expired delta link', async () => {
    graph.removeUser(carol.id);
    graph.expireDeltaTokens();

    const response = await sync(orgA);

    expect(response.body).toMatchObject({ users: { mode: 'full' }, groups: { mode: 'full' } });
    expect(graph.requests.some((request) => request.path === '/v1.0/users/delta')).toBe(true);
    expect(await directory(orgA.organisationId)).toEqual({
      users: [alice.id, bob.id].sort(),
      members: [`${protectedGroup}:${alice.id}`, `${optOutGroup}:${alice.id}`].sort(),
    });
  });

  it('answers the validation handshake with the token as text/plain', async () => {
    const token = 'Validation: Testing client application reachability <&>';
    const response = await fetch(
      `${api.baseUrl}/connectors/microsoft365/notifications?` +
        `validationToken=${encodeURIComponent(token)}`,
      { method: 'POST', headers: { 'content-type': 'text/plain' } },
    );

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe(token);
  });

  it('audits a sent message without the gateway stamp once, and not one with it', async () => {
    const [subscription] = [...graph.subscriptions.values()].filter((s) =>
      s.resource.includes(alice.id),
    );
    graph.putSentMessage(alice.id, 'AAMk-direct', [{ name: 'Subject', value: 'x' }]);
    graph.putSentMessage(alice.id, 'AAMk-gateway', [
      { name: 'X-Sealpost-Gateway', value: 'i=0123456789abcdef01234567; host=gw' },
    ]);

    const statuses = [
      await graph.notifyCreated(subscription.id, 'AAMk-direct'),
      await graph.notifyCreated(subscription.id, 'AAMk-direct'),
      await graph.notifyCreated(subscription.id, 'AAMk-gateway'),
      await graph.notifyCreated(subscription.id, 'AAMk-forged', 'not-the-client-state'),
    ];
    const jobs = (await waitingJobs()).filter((job) => job.name === 'sent-item');
    const outcomes = [];
    for (const job of jobs) {
      outcomes.push(await api.app.get(AuditSentItemUseCase).execute(job.data as SentItemJob));
      await job.remove();
    }

    expect(statuses).toEqual([202, 202, 202, 202]);
    expect(jobs.map((job) => (job.data as SentItemJob).messageId).sort()).toEqual([
      'AAMk-direct',
      'AAMk-gateway',
    ]);
    expect(outcomes.sort()).toEqual(['bypassed', 'through-gateway']);
    const [record] = await api.dataSource.query<Record<string, unknown>[]>(
      `SELECT actor_type, actor_id, target_type, target_id, outcome, details FROM audit_records
        WHERE organisation_id = $1 AND action = 'm365_mail.bypassed_gateway'`,
      [orgA.organisationId],
    );
    // Ids only: no address, subject or header of the mail.
    expect(record).toEqual({
      actor_type: 'system',
      actor_id: 'microsoft365',
      target_type: 'm365_user',
      target_id: alice.id,
      outcome: 'failure',
      details: { graphMessageId: 'AAMk-direct' },
    });
    const fetched = graph.requests.find(
      (r) => r.path === `/v1.0/users/${alice.id}/messages/AAMk-direct`,
    );
    expect(fetched?.query.get('$select')).toBe(
      'id,internetMessageId,sentDateTime,internetMessageHeaders',
    );
    // Judged once even when Graph delivers again later.
    expect(
      await api.app.get(AuditSentItemUseCase).execute({
        organisationId: orgA.organisationId,
        userId: alice.id,
        messageId: 'AAMk-direct',
      }),
    ).toBe('seen');
  });

  it('knows mail the gateway took by its Message-ID, and waits for young mail', async () => {
    const receipts = api.app.get(GatewayReceipts);
    const judge = (messageId: string) =>
      api.app.get(AuditSentItemUseCase).execute({
        organisationId: orgA.organisationId,
        userId: alice.id,
        messageId,
      });
    const justNow = new Date().toISOString();
    // Exchange's Sent copy: no stamp, only the Message-ID the gateway will see.
    graph.putSentMessage(alice.id, 'AAMk-routed', [], { internetMessageId: '<routed@ex.test>' });
    graph.putSentMessage(alice.id, 'AAMk-young', [], {
      internetMessageId: '<young@ex.test>',
      sentDateTime: justNow,
    });
    await api.dataSource.query(
      `INSERT INTO gateway_receipts (organisation_id, origin_digest, message_id)
       VALUES ($1, $2, gen_random_uuid())`,
      [orgA.organisationId, receipts.digest('<routed@ex.test>')],
    );

    expect(await judge('AAMk-routed')).toBe('through-gateway');
    expect(await judge('AAMk-young')).toBe('later');
    const [recheck] = (await waitingJobs()).filter(
      (job) => (job.data as SentItemJob).messageId === 'AAMk-young',
    );
    expect(recheck.opts.delay).toBeGreaterThan(14 * 60_000);
    await recheck.remove();

    // The gateway took it meanwhile: the second look finds it.
    await api.dataSource.query(
      `INSERT INTO gateway_receipts (organisation_id, origin_digest, message_id)
       VALUES ($1, $2, gen_random_uuid())`,
      [orgA.organisationId, receipts.digest('<young@ex.test>')],
    );
    expect(await judge('AAMk-young')).toBe('through-gateway');
  });

  it('renews on reauthorizationRequired, recreates when removed, rereads on missed', async () => {
    const [subscription] = [...graph.subscriptions.values()].filter((s) =>
      s.resource.includes(bob.id),
    );
    const lifecycle = api.app.get(HandleLifecycleUseCase);
    const run = async (event: string, id: string) => {
      expect(await graph.notifyLifecycle(id, event)).toBe(202);
      const [job] = (await waitingJobs()).filter((j) => j.name === 'lifecycle');
      await lifecycle.execute(job.data as LifecycleJob);
      await job.remove();
    };

    await run('reauthorizationRequired', subscription.id);
    const patch = graph.requests.find(
      (request) =>
        request.method === 'PATCH' && request.path === `/v1.0/subscriptions/${subscription.id}`,
    );
    expect(Object.keys(JSON.parse(patch?.body ?? '{}'))).toEqual(['expirationDateTime']);

    graph.subscriptions.delete(subscription.id);
    graph.subscriptions.set(subscription.id, subscription);
    await run('subscriptionRemoved', subscription.id);
    const [stored] = await api.dataSource.query<{ id: string }[]>(
      `SELECT id FROM m365_subscriptions WHERE organisation_id = $1 AND user_id = $2`,
      [orgA.organisationId, bob.id],
    );
    expect(stored.id).not.toBe(subscription.id);
    expect(graph.subscriptions.has(stored.id)).toBe(true);

    graph.putSentMessage(bob.id, 'AAMk-missed', []);
    await run('missed', stored.id);
    const listed = graph.requests.find((request) =>
      request.path.startsWith(`/v1.0/users/${bob.id}/mailFolders('SentItems')/messages`),
    );
    expect(listed?.query.get('$top')).toBe('50');
    expect(await auditActions(orgA.organisationId)).toEqual(
      expect.arrayContaining(['m365_mail.bypassed_gateway']),
    );
  });

  it('renews subscriptions in their last day with PATCH, leaving later ones alone', async () => {
    await api.dataSource.query(
      `UPDATE m365_subscriptions SET expires_at = now() + interval '2 hours'
        WHERE organisation_id = $1 AND user_id = $2`,
      [orgA.organisationId, alice.id],
    );
    const before = graph.requests.length;

    const renewed = await api.app.get(SentItemsSubscriptions).renewDue();

    const patches = graph.requests.slice(before).filter((request) => request.method === 'PATCH');
    expect(renewed).toBe(1);
    expect(patches).toHaveLength(1);
    const [row] = await api.dataSource.query<{ expires_at: Date; renewed_at: Date | null }[]>(
      `SELECT expires_at, renewed_at FROM m365_subscriptions
        WHERE organisation_id = $1 AND user_id = $2`,
      [orgA.organisationId, alice.id],
    );
    expect(row.renewed_at).not.toBeNull();
    expect(row.expires_at.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
  });

  it('protects mail of a protected group’s member at delivery (synced membership)', async () => {
    const { token } = await api.app
      .get(ApiKeysService)
      .create(orgA.organisationId, 'policy', ['policy:manage', 'messages:send']);
    const policy = {
      ...DEFAULT_POLICY,
      protection: {
        ...DEFAULT_POLICY.protection,
        mode: 'rules',
        subjectTag: null,
        honourHeader: false,
        detectors: { ...DEFAULT_POLICY.protection.detectors, ssn: false, icd10: false },
        senderGroups: [protectedGroup],
      },
    };
    const stored = await call(api, 'PUT', '/v1/policy', { token, body: policy });
    const preview = (from: string) =>
      call<{ recipients: { protectionRequired: boolean; protectionReasons: string[] }[] }>(
        api,
        'POST',
        '/v1/policy/preview',
        {
          token,
          body: { from, recipients: ['p@patients.example'], subject: 'Hello', text: 'Hi' },
        },
      );

    const member = await preview('Alice <alice@clinic.example>');
    const nonMember = await preview('bob@clinic.example');

    expect(stored.status).toBe(200);
    expect(member.body.recipients[0]).toMatchObject({
      protectionRequired: true,
      protectionReasons: ['sender group rule'],
    });
    expect(nonMember.body.recipients[0].protectionRequired).toBe(false);
  });

  it('reports health, last sync, counts and the next renewal', async () => {
    const response = await call<M365Status>(api, 'GET', '/v1/connectors/microsoft365/status', {
      token: orgA.token,
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      configured: true,
      health: 'ok',
      counts: { users: 2, groups: 2, activeSubscriptions: 2 },
    });
    expect(Date.parse(response.body.lastSyncAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(Date.parse(response.body.nextRenewalAt ?? '')).toBeGreaterThan(Date.now());
  });

  it('authenticates with a certificate: an RS256 assertion naming it by x5t#S256', async () => {
    const ca = createTestCa('App CA');
    const certificate = issueCertificate(ca, { commonName: 'sealpost-app' });
    const certTenant = guid();
    const certClient = guid();
    graph.register({
      tenantId: certTenant,
      clientId: certClient,
      certificatePem: certificate.certPem,
    });
    const orgC = await createTenant(api, ['connectors:manage']);

    const created = await call<M365ConnectionView>(api, 'POST', '/v1/connectors/microsoft365', {
      token: orgC.token,
      body: {
        tenantId: certTenant,
        clientId: certClient,
        privateKeyPem: certificate.keyPem,
        certificatePem: certificate.certPem,
        watchSentItems: false,
      },
    });
    const synced = await sync(orgC);

    expect(created.body.credentialKind).toBe('certificate');
    expect(created.body.certificateThumbprint).toMatch(/^[0-9A-F]{64}$/);
    expect(created.text).not.toContain('PRIVATE KEY');
    expect(synced.status).toBe(200);
    const tokenCall = graph.requests.filter((r) => r.path === `/${certTenant}/oauth2/v2.0/token`);
    const form = new URLSearchParams(tokenCall[0].body);
    expect(form.get('client_secret')).toBeNull();
    expect(form.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
  });

  it('records a refused credential as failing health with a code, never the secret', async () => {
    const orgD = await createTenant(api, ['connectors:manage']);
    await call(api, 'POST', '/v1/connectors/microsoft365', {
      token: orgD.token,
      body: { tenantId, clientId, clientSecret: 'wrong-secret-value' },
    });

    const synced = await sync(orgD);
    const status = await call<M365Status>(api, 'GET', '/v1/connectors/microsoft365/status', {
      token: orgD.token,
    });

    expect(synced.status).toBeGreaterThanOrEqual(400);
    expect(status.body.health).toBe('failing');
    expect(status.body.lastError).toContain('invalid_client');
    expect(status.text).not.toContain('wrong-secret-value');
    expect(status.text).not.toContain('AADSTS');
  });

  it('puts a portal reply into the sender’s Inbox as a received message', async () => {
    const id = await api.app.get(DeliverReplyToMailboxUseCase).execute(orgA.organisationId, {
      to: 'ALICE@clinic.example',
      replyTo: 'patient@example.net',
      subject: 'Re: results',
      text: 'Thank you',
    });
    const unknown = await api.app.get(DeliverReplyToMailboxUseCase).execute(orgA.organisationId, {
      to: 'nobody@clinic.example',
      replyTo: 'patient@example.net',
      subject: 'Re: results',
      text: 'Thank you',
    });

    expect(id).toMatch(/^AAMk/);
    expect(unknown).toBeNull();
    const [created] = graph.createdInboxMessages;
    expect(created.userId).toBe(alice.id);
    expect(created.body).toMatchObject({
      body: { contentType: 'text', content: 'Thank you' },
      replyTo: [{ emailAddress: { address: 'patient@example.net' } }],
      singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: '0' }],
    });
  });

  it('puts a portal reply to an M365 sender in the Inbox, others go by mail', async () => {
    const { token } = await api.app
      .get(ApiKeysService)
      .create(orgA.organisationId, 'sender', ['messages:send']);
    const linkTo = async (from: string): Promise<PortalLink> => {
      const sent = await call<{ id: string; recipients: { id: string }[] }>(
        api,
        'POST',
        '/v1/messages',
        { token, body: { from, to: ['p@patients.example'], subject: 'Lab', text: 'Ready' } },
      );
      expect(sent.status).toBe(202);
      return {
        id: randomUUID(),
        organisationId: orgA.organisationId,
        messageId: sent.body.id,
        recipientId: sent.body.recipients[0].id,
        expiresAt: new Date(Date.now() + 3600_000),
        revokedAt: null,
        failedAttempts: 0,
        lockedAt: null,
        codeHash: null,
        codeExpiresAt: null,
        passphraseHash: null,
      };
    };
    const replies = api.app.get(ReplyFromPortalUseCase);
    const inboxBefore = graph.createdInboxMessages.length;

    const toMailbox = await linkTo('Bob <bob@clinic.example>');
    const placed = await replies.execute(toMailbox, 'Thanks, see you Monday');
    const byMail = await replies.execute(await linkTo('desk@elsewhere.example'), 'Thanks');

    expect(placed).toBeNull();
    expect(typeof byMail).toBe('string');
    const inbox = graph.createdInboxMessages.slice(inboxBefore);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({
      userId: bob.id,
      body: {
        subject: 'Re: Lab',
        replyTo: [{ emailAddress: { address: 'p@patients.example' } }],
      },
    });
    const [event] = await api.dataSource.query<{ data: Record<string, string> }[]>(
      `SELECT data FROM message_events WHERE organisation_id = $1 AND message_id = $2
          AND type = 'portal.replied'`,
      [orgA.organisationId, toMailbox.messageId],
    );
    expect(event.data).toEqual({ deliveredTo: 'mailbox' });
  });

  it('answers not found to another organisation and shows it nothing', async () => {
    const answers = await Promise.all([
      call(api, 'GET', '/v1/connectors/microsoft365', { token: orgB.token }),
      call(api, 'PATCH', '/v1/connectors/microsoft365', {
        token: orgB.token,
        body: { enabled: false },
      }),
      call(api, 'DELETE', '/v1/connectors/microsoft365', { token: orgB.token }),
    ]);
    const status = await call<M365Status>(api, 'GET', '/v1/connectors/microsoft365/status', {
      token: orgB.token,
    });

    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404]);
    expect(status.body).toMatchObject({ configured: false, counts: { users: 0, groups: 0 } });
    expect((await directory(orgB.organisationId)).users).toEqual([]);
  });

  it('needs the connectors:manage scope', async () => {
    const reader = await createTenant(api, ['messages:read']);

    const response = await call<ErrorBody>(api, 'GET', '/v1/connectors/microsoft365/status', {
      token: reader.token,
    });

    expect(response.status).toBe(403);
    expect(response.body.code).toBe('insufficient_scope');
  });
});
