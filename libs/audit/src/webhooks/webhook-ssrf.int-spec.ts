import { createServer, type Server } from 'node:net';
import { type AddressInfo } from 'node:net';
import { BullModule } from '@nestjs/bull';
import { Test, type TestingModule } from '@nestjs/testing';
import { type AuthContext, CoreModule, OrganisationsService } from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { Clock } from '@sealpost/encryption';
import { DataSource } from 'typeorm';
import { DeliverWebhookUseCase } from './deliver-webhook.use-case';
import { type ResolvedAddress, WebhookAddressResolver } from './webhook-address-resolver.port';
import { WebhookAttemptsService } from './webhook-attempts.service';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { AuditModule } from '../audit.module';
import { WebhookDeliveryModule, WebhooksModule } from './webhooks.module';
import {
  aMessageEvent,
  deliveryOf,
  MovableClock,
  webhookTestConfig,
} from './testing/webhook-test-kit';

/** DNS an attacker controls: one answer when the endpoint is saved, another at send time. */
class RebindingResolver extends WebhookAddressResolver {
  answers: string[] = ['93.184.215.14'];

  resolve(): Promise<ResolvedAddress[]> {
    return Promise.resolve(
      this.answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  }
}

describe('webhook SSRF check at send time (private addresses not allowed)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let listener: Server;
  let connections = 0;
  let caller: AuthContext;
  const resolver = new RebindingResolver();

  beforeAll(async () => {
    // Counts TCP connections: a refused send must not even open one.
    listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    database = await createTestDatabase();
    const config = webhookTestConfig(database.url);
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
      .useValue(new MovableClock())
      .overrideProvider(WebhookAddressResolver)
      .useValue(resolver)
      .compile();
    const organisation = await moduleRef.get(OrganisationsService).create('ssrf-org');
    caller = { organisationId: organisation.id, apiKeyId: 'k', scopes: ['webhooks:manage'] };
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
    await new Promise((resolve) => listener?.close(resolve));
  });

  it.each([
    ['loopback', ['127.0.0.1']],
    ['a private address beside a public one', ['93.184.215.14', '10.0.0.8']],
    ['IPv6 loopback', ['::1']],
    ['cloud metadata', ['169.254.169.254']],
  ])('refuses a name rebound to %s after it was saved', async (_case, rebound) => {
    const { port } = listener.address() as AddressInfo;
    resolver.answers = ['93.184.215.14'];
    const endpoint = await moduleRef
      .get(WebhookEndpointsService, { strict: false })
      .create(caller, { url: `https://hooks.example.com:${port}/hook` });
    const dataSource = moduleRef.get(DataSource);
    const event = await aMessageEvent(
      dataSource,
      caller.organisationId,
      'opened',
      {},
      {
        address: 'p@example.test',
        subject: 'S',
      },
    );
    const delivery = await deliveryOf(dataSource, endpoint.id, event.eventId);
    resolver.answers = rebound;

    const outcome = await moduleRef
      .get(DeliverWebhookUseCase, { strict: false })
      .execute({ v: 1, organisationId: caller.organisationId, deliveryId: delivery!.id });

    expect(outcome).toBe('retrying');
    expect(connections).toBe(0);
    const [attempt] = await moduleRef
      .get(WebhookAttemptsService, { strict: false })
      .list(caller, endpoint.id, 1);
    expect(attempt).toEqual(
      expect.objectContaining({ error: 'url_not_allowed', statusCode: null }),
    );
  });
});
