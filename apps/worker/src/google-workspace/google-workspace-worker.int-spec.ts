import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bull';
import { type TestingModule } from '@nestjs/testing';
import { OrganisationsService } from '@sealpost/core';
import {
  BYPASS_ACTION,
  GOOGLE_WORKSPACE_QUEUE,
  GoogleConnectionsService,
  GoogleMaintenanceService,
  GoogleWorkspaceJobs,
  MAINTENANCE_JOB,
} from '@sealpost/google-workspace';
import { type FakeGoogle, startFakeGoogle } from '@sealpost/test-peers/google';
import { type Queue } from 'bull';
import { DataSource } from 'typeorm';
import { startTestWorker, type TestWorker } from '../testing/test-worker';

/** The whole worker as main.ts builds it, against a loopback Google. */
describe('Google Workspace worker (real PostgreSQL, Redis and a loopback Google)', () => {
  let started: TestWorker | undefined;
  let worker: TestingModule;
  let google: FakeGoogle;
  let organisationId: string;
  const domain = `clinic-${randomUUID().slice(0, 8)}.example`;
  const admin = `admin@${domain}`;
  const user = `dana@${domain}`;

  const query = <T>(sql: string, parameters: unknown[]) =>
    worker.get(DataSource).query<T>(sql, parameters);
  const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean) => {
    const until = Date.now() + 15_000;
    let value = await read();
    while (!done(value) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      value = await read();
    }
    return value;
  };
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
  const mailbox = async () =>
    (
      await query<{ id: string; history_id: string | null; watch_renewed_at: Date | null }[]>(
        `SELECT id, history_id::text, watch_renewed_at FROM google_mailboxes
          WHERE organisation_id = $1`,
        [organisationId],
      )
    )[0];

  beforeAll(async () => {
    google = await startFakeGoogle();
    google.delegated.add(admin);
    google.delegated.add(user);
    google.users.push({ id: '100200300400', primaryEmail: user, name: { fullName: 'Dana' } });
    started = await startTestWorker({
      SEALPOST_GOOGLE_API_ROOT_URL: google.rootUrl,
      SEALPOST_GOOGLE_TOKEN_URL: google.tokenUrl,
      SEALPOST_GOOGLE_CERTS_URL: google.certsUrl,
    });
    worker = started.worker;
    organisationId = (await worker.get(OrganisationsService).create(`org-${randomUUID()}`)).id;
    await worker.get(GoogleConnectionsService).create(
      organisationId,
      {
        adminSubject: admin,
        domain,
        serviceAccountKey: google.serviceAccountKey,
        pubsubTopic: 'projects/sealpost-test/topics/gmail-sent',
      },
      { type: 'system', id: 'test' },
    );
  });

  afterAll(async () => {
    await started?.close();
    await google?.close();
  });

  it('schedules the hourly maintenance once', async () => {
    const queue = worker.get<Queue>(getQueueToken(GOOGLE_WORKSPACE_QUEUE));

    const repeatable = await queue.getRepeatableJobs();

    expect(repeatable.map((job) => [job.name, Number(job.every)])).toEqual([
      [MAINTENANCE_JOB, 3_600_000],
    ]);
  });

  it('maintenance syncs a never-synced directory, then watches the new mailbox', async () => {
    await worker.get(GoogleMaintenanceService).run();

    const watched = await eventually(mailbox, (row) => Boolean(row?.watch_renewed_at));

    expect(watched.history_id).toBe(google.mailbox(user).historyId);
    expect(google.mailbox(user).watch).toMatchObject({ labelIds: ['SENT'] });
  });

  it('a queued sent check audits a message that bypassed the gateway', async () => {
    const messageId = google.sendMail(user, { stamped: false, sentAt: minutesAgo(20) });
    const { id } = await mailbox();

    await worker
      .get(GoogleWorkspaceJobs)
      .checkSent(organisationId, id, google.mailbox(user).historyId);

    const records = await eventually(
      () =>
        query<{ target_id: string }[]>(
          `SELECT target_id FROM audit_records WHERE organisation_id = $1 AND action = $2`,
          [organisationId, BYPASS_ACTION],
        ),
      (rows) => rows.length > 0,
    );
    expect(records.map((row) => row.target_id)).toEqual([messageId]);
  });

  it('maintenance hands over a push no job has read yet', async () => {
    const messageId = google.sendMail(user, { stamped: false, sentAt: minutesAgo(20) });
    const { id } = await mailbox();
    await query(`UPDATE google_mailboxes SET notified_history_id = $2 WHERE id = $1`, [
      id,
      google.mailbox(user).historyId,
    ]);

    await worker.get(GoogleMaintenanceService).run();

    const records = await eventually(
      () =>
        query<{ target_id: string }[]>(
          `SELECT target_id FROM audit_records WHERE organisation_id = $1 AND action = $2`,
          [organisationId, BYPASS_ACTION],
        ),
      (rows) => rows.length > 1,
    );
    expect(records.map((row) => row.target_id)).toContain(messageId);
  });

  it('reads a mailbox again when its fresh, unstamped mail is due to be judged', async () => {
    google.sendMail(user, { stamped: false });
    const { id } = await mailbox();
    const queue = worker.get<Queue>(getQueueToken(GOOGLE_WORKSPACE_QUEUE));

    await worker
      .get(GoogleWorkspaceJobs)
      .checkSent(organisationId, id, google.mailbox(user).historyId);

    const delayed = await eventually(
      () => queue.getDelayed(),
      (jobs) => jobs.some((job) => String(job.id).startsWith(`sent-${id}-at-`)),
    );
    const recheck = delayed.find((job) => String(job.id).startsWith(`sent-${id}-at-`))!;
    expect(recheck.data).toEqual({ v: 1, organisationId, mailboxId: id });
    expect(recheck.opts.delay).toBeGreaterThan(14 * 60_000);
  });
});
