import { randomUUID } from 'node:crypto';
import { type TestingModule } from '@nestjs/testing';
import { AuditChainVerifier } from '@sealpost/audit';
import { OrganisationsService } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { startTestWorker, type TestWorker } from '../testing/test-worker';

/** The worker as main.ts builds it chains message events into the audit log on its own. */
describe('audit worker (real PostgreSQL and Redis)', () => {
  let started: TestWorker | undefined;
  let worker: TestingModule;

  beforeAll(async () => {
    started = await startTestWorker();
    worker = started.worker;
  });

  afterAll(async () => {
    await started?.close();
  });

  it('chains a committed portal view and an open within seconds; the chain verifies', async () => {
    const dataSource = worker.get(DataSource);
    const organisation = await worker.get(OrganisationsService).create('audit-worker-org');
    const messageId = randomUUID();
    await dataSource.query(
      `INSERT INTO messages (id, organisation_id, from_address, content_ciphertext,
         content_wrapped_key, content_key_id, size_bytes)
       VALUES ($1, $2, 'clinic@example.test', '\\x00', '\\x00', 'k', 1)`,
      [messageId, organisation.id],
    );
    await dataSource.query(
      `INSERT INTO message_events (organisation_id, message_id, type)
       VALUES ($1, $2, 'portal.viewed'), ($1, $2, 'opened')`,
      [organisation.id, messageId],
    );

    let actions: string[] = [];
    for (let attempt = 0; attempt < 50 && actions.length < 2; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const rows = await dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_records WHERE organisation_id = $1 ORDER BY sequence`,
        [organisation.id],
      );
      actions = rows.map((row) => row.action);
    }

    expect(actions).toEqual(['portal.viewed', 'message.opened']);
    const verification = await worker
      .get(AuditChainVerifier, { strict: false })
      .verify(organisation.id);
    expect(verification).toMatchObject({ ok: true, records: 2 });
  });
});
