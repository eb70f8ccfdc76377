import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bull';
import { type TestingModule } from '@nestjs/testing';
import { OrganisationsService } from '@sealpost/core';
import {
  M365_MAINTENANCE_JOB,
  M365_QUEUE,
  M365_SENT_ITEM_JOB,
  M365ConnectionsService,
  type SentItemJob,
} from '@sealpost/microsoft365';
import {
  type FakeMicrosoftGraph,
  startFakeMicrosoftGraph,
} from '@sealpost/test-peers/microsoft-graph';
import { type Queue } from 'bull';
import { DataSource } from 'typeorm';
import { startTestWorker, type TestWorker } from '../testing/test-worker';
import { Microsoft365Processor } from './microsoft365.processor';

/** The whole worker as main.ts builds it, against a loopback Graph. */
describe('Microsoft 365 worker (real PostgreSQL, Redis and a loopback Graph)', () => {
  let started: TestWorker | undefined;
  let worker: TestingModule;
  let graph: FakeMicrosoftGraph;
  let organisationId: string;
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const clientSecret = randomBytes(16).toString('hex');
  const user = {
    id: randomUUID(),
    mail: 'dana@clinic.example',
    userPrincipalName: 'dana@clinic.example',
    displayName: 'Dana',
    accountEnabled: true,
  };

  const query = <T>(sql: string, parameters: unknown[]) =>
    worker.get(DataSource).query<T>(sql, parameters);

  beforeAll(async () => {
    graph = await startFakeMicrosoftGraph();
    graph.register({ tenantId, clientId, clientSecret });
    graph.putUser(user);
    const caFile = join(mkdtempSync(join(tmpdir(), 'm365-worker-')), 'ca.pem');
    writeFileSync(caFile, graph.caPem);
    started = await startTestWorker({
      SEALPOST_M365_LOGIN_URL: graph.origin,
      SEALPOST_M365_GRAPH_URL: graph.origin,
      SEALPOST_TLS_CA_FILE: caFile,
    });
    worker = started.worker;
    organisationId = (await worker.get(OrganisationsService).create(`org-${randomUUID()}`)).id;
    // No public URL reaches this test, so the connection does not subscribe Sent Items.
    await worker
      .get(M365ConnectionsService)
      .create(
        organisationId,
        { tenantId, clientId, clientSecret, watchSentItems: false },
        { type: 'system', id: 'test' },
      );
  });

  afterAll(async () => {
    await started?.close();
    await graph?.close();
  });

  it('schedules the hourly maintenance once', async () => {
    const queue = worker.get<Queue>(getQueueToken(M365_QUEUE));

    const repeatable = await queue.getRepeatableJobs();

    expect(repeatable.map((job) => [job.name, Number(job.every)])).toEqual([
      [M365_MAINTENANCE_JOB, 3_600_000],
    ]);
  });

  it('syncs the directory and renews a subscription in its last day', async () => {
    const subscriptionId = randomUUID();
    await worker.get(Microsoft365Processor).maintain();
    graph.subscriptions.set(subscriptionId, {
      id: subscriptionId,
      resource: `users/${user.id}/mailFolders('SentItems')/messages`,
      changeType: 'created',
      notificationUrl: 'https://sealpost.example/connectors/microsoft365/notifications',
      lifecycleNotificationUrl: 'https://sealpost.example/connectors/microsoft365/lifecycle',
      clientState: 'x',
      expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
    });
    await query(
      `INSERT INTO m365_subscriptions (id, organisation_id, user_id, resource, expires_at)
       VALUES ($1, $2, $3, 'r', now() + interval '1 hour')`,
      [subscriptionId, organisationId, user.id],
    );

    await worker.get(Microsoft365Processor).maintain();

    const users = await query<{ id: string }[]>(
      `SELECT id FROM m365_users WHERE organisation_id = $1`,
      [organisationId],
    );
    const [subscription] = await query<{ expires_at: Date }[]>(
      `SELECT expires_at FROM m365_subscriptions WHERE id = $1`,
      [subscriptionId],
    );
    expect(users.map((row) => row.id)).toEqual([user.id]);
    expect(subscription.expires_at.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
    expect(graph.requests.some((request) => request.method === 'PATCH')).toBe(true);
  });

  it('audits a queued sent message that lacks the gateway stamp', async () => {
    graph.putSentMessage(user.id, 'AAMk-worker', [{ name: 'Received', value: 'from x' }]);
    const job: SentItemJob = { organisationId, userId: user.id, messageId: 'AAMk-worker' };

    await worker.get<Queue>(getQueueToken(M365_QUEUE)).add(M365_SENT_ITEM_JOB, job);

    const deadline = Date.now() + 10_000;
    let actions: string[] = [];
    while (Date.now() < deadline && !actions.includes('m365_mail.bypassed_gateway')) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      actions = (
        await query<{ action: string }[]>(
          `SELECT action FROM audit_records WHERE organisation_id = $1`,
          [organisationId],
        )
      ).map((row) => row.action);
    }
    expect(actions).toContain('m365_mail.bypassed_gateway');
  });
});
