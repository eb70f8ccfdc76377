import { randomBytes, randomUUID } from 'node:crypto';
import {
  type AuthContext,
  type Env,
  loadConfig,
  type OrganisationsService,
  type SealpostConfig,
} from '@sealpost/core';
import Redis from 'ioredis';
import { type DataSource } from 'typeorm';
import { DELIVERY_TOPIC } from '../messaging.constants';
import { type SendMessageCommand } from '../messages/send-message.command';
import { type DeliveryJob } from '../outbox/delivery-job';

export function randomToken(): string {
  return randomBytes(6).toString('hex');
}

/** Builds config from `env` over test defaults; process.env is never read or changed. */
export function testConfig(databaseUrl: string, env: Env = {}): SealpostConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
    SEALPOST_QUEUE_PREFIX: `test-${randomToken()}`,
    SEALPOST_LOG_LEVEL: 'silent',
    ...env,
  });
}

/** A new organisation with a random name, and a caller acting for it. */
export async function aCaller(organisations: OrganisationsService): Promise<AuthContext> {
  const organisation = await organisations.create(`org-${randomToken()}`);
  return { organisationId: organisation.id, apiKeyId: randomUUID(), scopes: ['messages:send'] };
}

export function anAddress(domain = 'example.test'): string {
  return `patient-${randomToken()}@${domain}`;
}

/** A valid command with random addresses and content; `to` defaults to one recipient. */
export function aSendMessageCommand(
  overrides: Partial<SendMessageCommand> = {},
): SendMessageCommand {
  return {
    from: `Clinic <clinic-${randomToken()}@example.org>`,
    to: [anAddress()],
    cc: [],
    bcc: [],
    subject: `Results ${randomToken()}`,
    text: `Your results ${randomToken()} are ready.`,
    headers: {},
    attachments: [],
    tags: [],
    metadata: {},
    ...overrides,
  };
}

/** The job the relay would build for a recipient's outbox row. */
export async function deliveryJobFor(
  dataSource: DataSource,
  recipientId: string,
): Promise<DeliveryJob> {
  const [row] = await dataSource.query<{ id: string; organisation_id: string }[]>(
    'SELECT id, organisation_id FROM outbox WHERE topic = $1 AND ref_id = $2',
    [DELIVERY_TOPIC, recipientId],
  );
  if (!row) {
    throw new Error(`no outbox row for recipient ${recipientId}`);
  }
  return { v: 1, outboxId: row.id, recipientId, organisationId: row.organisation_id };
}

/** Removes every Redis key under `prefix`, so a suite leaves nothing behind. */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) {
        await redis.del(...keys);
      }
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
