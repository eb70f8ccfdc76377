import { createHmac, createPublicKey, verify } from 'node:crypto';
import { BullModule } from '@nestjs/bull';
import { Test, type TestingModule } from '@nestjs/testing';
import { type AuthContext, CoreModule, OrganisationsService } from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { Clock } from '@sealpost/encryption';
import { DataSource } from 'typeorm';
import { DeliverWebhookUseCase } from './deliver-webhook.use-case';
import { type ResolvedAddress, WebhookAddressResolver } from './webhook-address-resolver.port';
import { WebhookAttemptsService } from './webhook-attempts.service';
import {
  WebhookEndpointsService,
  type WebhookEndpointWithSecret,
} from './webhook-endpoints.service';
import { WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_DELAYS_MS } from './webhook-retry-schedule';
import { AuditModule } from '../audit.module';
import { WebhookDeliveryModule, WebhooksModule } from './webhooks.module';
import {
  aMessageEvent,
  CapturingLogger,
  deliveryOf,
  MovableClock,
  type ReceivedRequest,
  WebhookReceiver,
  webhookTestConfig,
} from './testing/webhook-test-kit';

/**
 * The receiver's own check, written from the Standard Webhooks 1.0 text and sharing no code
 * with our signer: HMAC-SHA256 over `id.timestamp.body` keyed with the base64 bytes after
 * `whsec_`, compared with every `v1,` signature of the space-separated header.
 */
function receiverAccepts(request: ReceivedRequest, secret: string): boolean {
  const id = request.headers['webhook-id'] as string;
  const timestamp = request.headers['webhook-timestamp'] as string;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${id}.${timestamp}.${request.body}`)
    .digest('base64');
  return (request.headers['webhook-signature'] as string)
    .split(' ')
    .some((entry) => entry === `v1,${expected}`);
}

/** DNS for the tests: hooks.test is the loopback receiver, whatever real DNS says. */
class SwitchableResolver extends WebhookAddressResolver {
  answers: Record<string, string> = { 'hooks.test': '127.0.0.1' };

  resolve(hostname: string): Promise<ResolvedAddress[]> {
    const address = this.answers[hostname] ?? hostname;
    return Promise.resolve([{ address, family: address.includes(':') ? 6 : 4 }]);
  }
}

const PHI = { address: 'jane.doe.4471@patients.example', subject: 'Your HIV test result' };
const DELIVERED_DATA = {
  method: 'tls',
  host: 'mx.patients.example',
  response: `250 2.0.0 OK queued for <${PHI.address}>`,
  tlsVersion: 'TLSv1.3',
  tlsCipher: 'TLS_AES_256_GCM_SHA384',
};

describe('webhook delivery (real PostgreSQL, a real HTTP receiver on loopback)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  let endpoints: WebhookEndpointsService;
  let attemptsLog: WebhookAttemptsService;
  let deliver: DeliverWebhookUseCase;
  let receiver: WebhookReceiver;
  let caller: AuthContext;
  const clock = new MovableClock();
  const resolver = new SwitchableResolver();
  const logs = new CapturingLogger();

  async function anEndpoint(
    overrides: { eventTypes?: string[]; url?: string } = {},
  ): Promise<WebhookEndpointWithSecret> {
    return endpoints.create(caller, { url: receiver.url(), ...overrides });
  }

  async function attempt(deliveryId: string) {
    return deliver.execute({ v: 1, organisationId: caller.organisationId, deliveryId });
  }

  async function delivered(
    endpoint: WebhookEndpointWithSecret,
    type = 'delivered',
    data: Record<string, unknown> = DELIVERED_DATA,
  ) {
    const event = await aMessageEvent(dataSource, caller.organisationId, type, data, PHI);
    const delivery = await deliveryOf(dataSource, endpoint.id, event.eventId);
    return { event, delivery: delivery! };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = webhookTestConfig(database.url, {
      SEALPOST_WEBHOOK_ALLOW_PRIVATE: 'on',
      SEALPOST_WEBHOOK_TIMEOUT_MS: '500',
    });
    moduleRef = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot(config, []),
        AuditModule,
        BullModule.forRoot({ url: config.redis.url, prefix: config.redis.queuePrefix }),
        WebhooksModule,
        WebhookDeliveryModule,
      ],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .overrideProvider(WebhookAddressResolver)
      .useValue(resolver)
      .compile();
    moduleRef.useLogger(logs);
    dataSource = moduleRef.get(DataSource);
    endpoints = moduleRef.get(WebhookEndpointsService, { strict: false });
    attemptsLog = moduleRef.get(WebhookAttemptsService, { strict: false });
    deliver = moduleRef.get(DeliverWebhookUseCase, { strict: false });
    const organisation = await moduleRef.get(OrganisationsService).create('webhook-org');
    caller = { organisationId: organisation.id, apiKeyId: 'k', scopes: ['webhooks:manage'] };
    receiver = new WebhookReceiver();
    await receiver.start();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.answer = () => ({ status: 204 });
  });

  afterAll(async () => {
    await receiver?.stop();
    await moduleRef?.close();
    await database?.drop();
  });

  it('POSTs the event signed per Standard Webhooks, and the receiver verifies it', async () => {
    const endpoint = await anEndpoint();
    const { event, delivery } = await delivered(endpoint);

    expect(await attempt(delivery.id)).toBe('succeeded');

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request.headers['webhook-id']).toBe(`msg_${event.eventId}`);
    expect(request.headers['webhook-timestamp']).toBe(
      String(Math.floor(clock.now().getTime() / 1000)),
    );
    expect(request.headers['content-type']).toBe('application/json');
    expect(receiverAccepts(request, endpoint.secret!)).toBe(true);
    expect(receiverAccepts(request, `whsec_${Buffer.alloc(32, 1).toString('base64')}`)).toBe(false);
    expect(JSON.parse(request.body)).toEqual({
      type: 'message.delivered',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: {
        eventId: event.eventId,
        organisationId: caller.organisationId,
        messageId: event.messageId,
        recipientId: event.recipientId,
        method: 'tls',
        tlsVersion: 'TLSv1.3',
        tlsCipher: 'TLS_AES_256_GCM_SHA384',
      },
    });
    expect((await deliveryOf(dataSource, endpoint.id, event.eventId))!.status).toBe('succeeded');
  });

  it('signs an Ed25519 endpoint with v1a, verifiable with its whpk_ public key', async () => {
    const endpoint = await endpoints.create(caller, { url: receiver.url(), signing: 'ed25519' });
    const { delivery } = await delivered(endpoint);

    expect(await attempt(delivery.id)).toBe('succeeded');

    // The receiver's side: the raw 32-byte key after whpk_, wrapped as SPKI for node:crypto.
    const [request] = receiver.requests;
    const raw = Buffer.from(endpoint.publicKey!.slice('whpk_'.length), 'base64');
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const [version, signature] = (request.headers['webhook-signature'] as string).split(',');
    const content = Buffer.from(
      `${String(request.headers['webhook-id'])}.${String(request.headers['webhook-timestamp'])}.` +
        request.body,
    );
    expect(version).toBe('v1a');
    expect(verify(null, content, key, Buffer.from(signature, 'base64'))).toBe(true);
    expect(
      verify(
        null,
        Buffer.concat([content, Buffer.from(' ')]),
        key,
        Buffer.from(signature, 'base64'),
      ),
    ).toBe(false);
  });

  it('sends no address, subject, SMTP response or MX host', async () => {
    const endpoint = await anEndpoint();
    const { delivery } = await delivered(endpoint, 'bounced', {
      reason: `550 5.1.1 <${PHI.address}> unknown`,
      responseCode: 550,
      host: 'mx.patients.example',
    });

    await attempt(delivery.id);

    const body = receiver.requests[0].body;
    expect(JSON.parse(body).data.responseCode).toBe(550);
    for (const secret of [PHI.address, 'jane.doe', PHI.subject, 'patients.example', '5.1.1']) {
      expect(body).not.toContain(secret);
    }
  });

  it('fans out only to enabled endpoints whose filter matches the type', async () => {
    const opens = await anEndpoint({ eventTypes: ['message.opened'] });
    const family = await anEndpoint({ eventTypes: ['message.*'] });
    const portal = await anEndpoint({ eventTypes: ['portal.*'] });
    const disabled = await anEndpoint();
    await endpoints.update(caller, disabled.id, { enabled: false });

    const event = await aMessageEvent(dataSource, caller.organisationId, 'opened', {}, PHI);
    const delivery = await aMessageEvent(dataSource, caller.organisationId, 'delivered', {}, PHI);

    expect(await deliveryOf(dataSource, opens.id, event.eventId)).toBeDefined();
    expect(await deliveryOf(dataSource, opens.id, delivery.eventId)).toBeUndefined();
    expect(await deliveryOf(dataSource, family.id, delivery.eventId)).toBeDefined();
    expect(await deliveryOf(dataSource, portal.id, event.eventId)).toBeUndefined();
    expect(await deliveryOf(dataSource, disabled.id, event.eventId)).toBeUndefined();
  });

  it('fans out nothing for an event rolled back with its transaction', async () => {
    const endpoint = await anEndpoint();
    const before = await dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1',
      [endpoint.id],
    );

    await dataSource
      .transaction(async (manager) => {
        await aMessageEvent(manager, caller.organisationId, 'opened', {}, PHI);
        throw new Error('roll back');
      })
      .catch(() => undefined);

    const after = await dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1',
      [endpoint.id],
    );
    expect(after[0].n).toBe(before[0].n);
  });

  it('signs with both secrets for 24 hours after a rotation, then with the new only', async () => {
    const endpoint = await anEndpoint();
    const rotated = await endpoints.rotateSecret(caller, endpoint.id);

    const inWindow = await delivered(endpoint);
    await attempt(inWindow.delivery.id);
    const signatures = (receiver.requests[0].headers['webhook-signature'] as string).split(' ');
    expect(signatures).toHaveLength(2);
    expect(receiverAccepts(receiver.requests[0], endpoint.secret!)).toBe(true);
    expect(receiverAccepts(receiver.requests[0], rotated.secret!)).toBe(true);

    clock.advance(24 * 3600_000 + 1000);
    const after = await delivered(endpoint);
    await attempt(after.delivery.id);
    expect(receiver.requests[1].headers['webhook-signature']).not.toContain(' ');
    expect(receiverAccepts(receiver.requests[1], endpoint.secret!)).toBe(false);
    expect(receiverAccepts(receiver.requests[1], rotated.secret!)).toBe(true);
  });

  it('retries on the jittered schedule as the clock moves, then disables with why', async () => {
    receiver.answer = () => ({ status: 500 });
    const endpoint = await anEndpoint();
    const { delivery } = await delivered(endpoint);

    for (let n = 1; n < WEBHOOK_MAX_ATTEMPTS; n++) {
      expect(await attempt(delivery.id)).toBe('retrying');
      const row = (
        await dataSource.query<{ next_attempt_at: Date; attempts: number }[]>(
          'SELECT next_attempt_at, attempts FROM webhook_deliveries WHERE id = $1',
          [delivery.id],
        )
      )[0];
      const wait = new Date(row.next_attempt_at).getTime() - clock.now().getTime();
      expect(row.attempts).toBe(n);
      expect(wait).toBeGreaterThanOrEqual(WEBHOOK_RETRY_DELAYS_MS[n - 1] * 0.8);
      expect(wait).toBeLessThanOrEqual(WEBHOOK_RETRY_DELAYS_MS[n - 1] * 1.2);

      clock.advance(wait - 1000);
      expect(await attempt(delivery.id)).toBeNull();
      clock.advance(1000);
    }
    expect(await attempt(delivery.id)).toBe('failed');

    expect(receiver.requests).toHaveLength(WEBHOOK_MAX_ATTEMPTS);
    const view = await endpoints.get(caller, endpoint.id);
    expect(view.enabled).toBe(false);
    expect(view.disabledReason).toBe(
      `all ${WEBHOOK_MAX_ATTEMPTS} attempts failed; the last: HTTP 500`,
    );
    const log = await attemptsLog.list(caller, endpoint.id, 50);
    expect(log).toHaveLength(WEBHOOK_MAX_ATTEMPTS);
    expect(log[0]).toEqual(
      expect.objectContaining({
        attempt: WEBHOOK_MAX_ATTEMPTS,
        outcome: 'failed',
        statusCode: 500,
      }),
    );
    expect(log.slice(1).every((entry) => entry.outcome === 'retrying')).toBe(true);
    const firstPage = await attemptsLog.list(caller, endpoint.id, 5);
    const secondPage = await attemptsLog.list(caller, endpoint.id, 5, firstPage[4].id);
    expect([...firstPage, ...secondPage].map((entry) => entry.attempt)).toEqual([
      14, 13, 12, 11, 10, 9, 8, 7, 6, 5,
    ]);
  });

  it.each([
    ['delta seconds', (_now: Date) => '7200', 7200_000],
    [
      'an HTTP date',
      (now: Date) => new Date(now.getTime() + 3 * 3600_000).toUTCString(),
      3 * 3600_000,
    ],
  ])('waits as long as Retry-After in %s asks', async (_case, retryAfter, expectedMs) => {
    receiver.answer = () => ({ status: 503, headers: { 'retry-after': retryAfter(clock.now()) } });
    const endpoint = await anEndpoint();
    const { delivery } = await delivered(endpoint);

    expect(await attempt(delivery.id)).toBe('retrying');

    const [row] = await dataSource.query<{ next_attempt_at: Date }[]>(
      'SELECT next_attempt_at FROM webhook_deliveries WHERE id = $1',
      [delivery.id],
    );
    const wait = new Date(row.next_attempt_at).getTime() - clock.now().getTime();
    expect(Math.abs(wait - expectedMs)).toBeLessThanOrEqual(1000);
  });

  it('disables the endpoint on 410 Gone and sends it nothing more', async () => {
    receiver.answer = () => ({ status: 410 });
    const endpoint = await anEndpoint();
    const { delivery } = await delivered(endpoint);

    expect(await attempt(delivery.id)).toBe('failed');

    const view = await endpoints.get(caller, endpoint.id);
    expect(view.enabled).toBe(false);
    expect(view.disabledReason).toContain('410');
    const audited = await dataSource.query<{ actor_id: string; details: object }[]>(
      `SELECT actor_id, details FROM audit_records
        WHERE action = 'webhook_endpoint.disabled' AND target_id = $1`,
      [endpoint.id],
    );
    expect(audited).toEqual([{ actor_id: 'webhooks', details: { reason: 'gone', attempts: 1 } }]);
    const next = await delivered(endpoint);
    expect(next.delivery).toBeUndefined();
  });

  it('gives up an attempt at the timeout and retries', async () => {
    receiver.answer = () => ({ status: 200, hang: true });
    const endpoint = await anEndpoint();
    const { delivery } = await delivered(endpoint);

    const started = Date.now();
    expect(await attempt(delivery.id)).toBe('retrying');

    expect(Date.now() - started).toBeLessThan(3000);
    const [entry] = await attemptsLog.list(caller, endpoint.id, 1);
    expect(entry).toEqual(expect.objectContaining({ error: 'timeout', statusCode: null }));
  });

  it('connects to the address it checked, not to a fresh lookup of the name', async () => {
    const endpoint = await anEndpoint({ url: `http://hooks.test:${receiver.port}/pinned` });
    const { delivery } = await delivered(endpoint);

    expect(await attempt(delivery.id)).toBe('succeeded');
    expect(receiver.requests[0].headers.host).toBe(`hooks.test:${receiver.port}`);
  });

  it('replays a delivered message with the same webhook-id and a fresh schedule', async () => {
    const endpoint = await anEndpoint();
    const { event, delivery } = await delivered(endpoint);
    await attempt(delivery.id);

    const replayed = await attemptsLog.replay(caller, endpoint.id, `msg_${event.eventId}`);
    expect(await attempt(replayed.deliveryId)).toBe('succeeded');

    expect(receiver.requests.map((request) => request.headers['webhook-id'])).toEqual([
      `msg_${event.eventId}`,
      `msg_${event.eventId}`,
    ]);
    expect(receiverAccepts(receiver.requests[1], endpoint.secret!)).toBe(true);
  });

  it("does not replay another organisation's event to this endpoint", async () => {
    const endpoint = await anEndpoint();
    const stranger = await moduleRef.get(OrganisationsService).create('stranger-org');
    const theirs = await aMessageEvent(dataSource, stranger.id, 'opened', {}, PHI);

    await expect(
      attemptsLog.replay(caller, endpoint.id, `msg_${theirs.eventId}`),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('logs ids and outcomes, never an address, subject or URL', () => {
    const text = logs.lines.join('\n');

    expect(text).toContain('webhook attempt recorded');
    for (const secret of [PHI.address, PHI.subject, 'patients.example', '127.0.0.1', 'whsec_']) {
      expect(text).not.toContain(secret);
    }
  });
});
