import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type TestingModule } from '@nestjs/testing';
import { WebhookEndpointsService } from '@sealpost/audit';
import { OrganisationsService } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { startTestWorker, type TestWorker } from '../testing/test-worker';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** The whole worker as main.ts builds it: trigger, NOTIFY, dispatcher, Bull, processor. */
describe('webhook worker (real PostgreSQL, Redis and a loopback receiver)', () => {
  let started: TestWorker | undefined;
  let worker: TestingModule;
  let server: Server;
  const received: Received[] = [];
  let arrived: () => void = () => undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString() });
        response.writeHead(200).end();
        arrived();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

    started = await startTestWorker({ SEALPOST_WEBHOOK_ALLOW_PRIVATE: 'on' });
    worker = started.worker;
  });

  afterAll(async () => {
    await started?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('sends a committed message event to the endpoint, signed, within seconds', async () => {
    const dataSource = worker.get(DataSource);
    const organisation = await worker.get(OrganisationsService).create('worker-org');
    const caller = { organisationId: organisation.id, apiKeyId: 'k', scopes: [] };
    const { port } = server.address() as AddressInfo;
    const endpoint = await worker
      .get(WebhookEndpointsService, { strict: false })
      .create(caller, { url: `http://127.0.0.1:${port}/events`, eventTypes: ['message.opened'] });
    const messageId = randomUUID();
    const recipientId = randomUUID();
    const wait = new Promise<void>((resolve) => (arrived = resolve));

    await dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO messages (id, organisation_id, from_address, content_ciphertext,
           content_wrapped_key, content_key_id, size_bytes)
         VALUES ($1, $2, 'clinic@example.org', '\\x00', '\\x00', 'mk_test', 1)`,
        [messageId, organisation.id],
      );
      await manager.query(
        `INSERT INTO message_recipients (id, organisation_id, message_id, kind, address,
           domain, status) VALUES ($1, $2, $3, 'to', 'p@example.test', 'example.test', 'sent')`,
        [recipientId, organisation.id, messageId],
      );
      await manager.query(
        `INSERT INTO message_events (organisation_id, message_id, recipient_id, type)
         VALUES ($1, $2, $3, 'opened')`,
        [organisation.id, messageId, recipientId],
      );
    });
    await wait;

    const [request] = received;
    const key = Buffer.from(endpoint.secret!.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key)
      .update(`${String(request.headers['webhook-id'])}.`)
      .update(`${String(request.headers['webhook-timestamp'])}.`)
      .update(request.body)
      .digest('base64');
    expect(request.headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(JSON.parse(request.body)).toEqual(
      expect.objectContaining({
        type: 'message.opened',
        data: expect.objectContaining({ messageId, recipientId }),
      }),
    );
  }, 20_000);
});
