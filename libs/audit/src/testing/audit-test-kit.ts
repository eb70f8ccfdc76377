import { randomBytes, randomUUID } from 'node:crypto';
import {
  type AuditEntry,
  type Env,
  loadConfig,
  type OrganisationsService,
  type SealpostConfig,
} from '@sealpost/core';
import { Client } from 'pg';

/** Builds config from `env` over test defaults; process.env is never read or changed. */
export function auditTestConfig(databaseUrl: string, env: Env = {}): SealpostConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
    SEALPOST_QUEUE_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    SEALPOST_LOG_LEVEL: 'silent',
    ...env,
  });
}

export async function anOrganisation(organisations: OrganisationsService): Promise<string> {
  return (await organisations.create(`org-${randomBytes(6).toString('hex')}`)).id;
}

export function anEntry(organisationId: string, index = 0): AuditEntry {
  return {
    organisationId,
    actor: { type: 'api_key', id: randomUUID() },
    action: 'workflow.edited',
    target: { type: 'workflow', id: randomUUID() },
    details: { version: index + 1 },
  };
}

/**
 * Runs `sql` as a database superuser with the append-only triggers disabled, as an attacker
 * with full database access would, and enables them again.
 */
export async function tamperAsSuperuser(
  databaseUrl: string,
  sql: string,
  params: unknown[] = [],
): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('ALTER TABLE audit_records DISABLE TRIGGER USER');
    await client.query('ALTER TABLE audit_checkpoints DISABLE TRIGGER USER');
    await client.query(sql, params);
    await client.query('ALTER TABLE audit_records ENABLE TRIGGER USER');
    await client.query('ALTER TABLE audit_checkpoints ENABLE TRIGGER USER');
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}
