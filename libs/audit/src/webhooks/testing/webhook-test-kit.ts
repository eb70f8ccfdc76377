import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Env, loadConfig, type SealpostConfig } from '@sealpost/core';
import { type DataSource, type EntityManager } from 'typeorm';

// Shared with every suite that needs them; named here too for the webhook specs' imports.
export { CapturingLogger, MovableClock } from '@sealpost/core/testing';

/** Builds config from `env` over test defaults; process.env is never read or changed. */
export function webhookTestConfig(databaseUrl: string, env: Env = {}): SealpostConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
    SEALPOST_QUEUE_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    SEALPOST_LOG_LEVEL: 'silent',
    ...env,
  });
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Never answer, to test the timeout. */
  hang?: boolean;
}

/** A real HTTP server on loopback that records what it receives and answers as told. */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  answer: (request: ReceivedRequest) => ReceiverAnswer = () => ({ status: 204 });
  private server?: Server;

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const received = { headers: request.headers, body: Buffer.concat(chunks).toString() };
        this.requests.push(received);
        const answer = this.answer(received);
        if (answer.hang) {
          return;
        }
        response.writeHead(answer.status, answer.headers);
        response.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export interface StoredEvent {
  eventId: string;
  messageId: string;
  recipientId: string;
}

/**
 * A message with one recipient and one event of `type`, written as the messaging lib writes
 * them (set-up only): the fan-out trigger sees an ordinary insert into message_events.
 */
export async function aMessageEvent(
  dataSource: Pick<EntityManager, 'query'>,
  organisationId: string,
  type: string,
  data: Record<string, unknown>,
  phi: { address: string; subject: string },
): Promise<StoredEvent> {
  const messageId = randomUUID();
  const recipientId = randomUUID();
  await dataSource.query(
    `INSERT INTO messages (id, organisation_id, from_address, metadata, content_ciphertext,
       content_wrapped_key, content_key_id, size_bytes)
     VALUES ($1, $2, 'clinic@example.org', $3, '\\x00', '\\x00', 'mk_test', 1)`,
    [messageId, organisationId, { subject: phi.subject }],
  );
  await dataSource.query(
    `INSERT INTO message_recipients (id, organisation_id, message_id, kind, address, domain,
       status) VALUES ($1, $2, $3, 'to', $4, $5, 'queued')`,
    [recipientId, organisationId, messageId, phi.address, phi.address.split('@')[1]],
  );
  const [row] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO message_events (organisation_id, message_id, recipient_id, type, data)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [organisationId, messageId, recipientId, type, data],
  );
  return { eventId: row.id, messageId, recipientId };
}

/** The delivery the trigger created for an event and endpoint, or undefined. */
export async function deliveryOf(
  dataSource: DataSource,
  endpointId: string,
  eventId: string,
): Promise<{ id: string; status: string; attempts: number; next_attempt_at: Date } | undefined> {
  const [row] = await dataSource.query<
    { id: string; status: string; attempts: number; next_attempt_at: Date }[]
  >(
    `SELECT id, status, attempts, next_attempt_at FROM webhook_deliveries
      WHERE endpoint_id = $1 AND event_id = $2`,
    [endpointId, eventId],
  );
  return row;
}
