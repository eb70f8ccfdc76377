import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { type TestingModule } from '@nestjs/testing';
import {
  BuildReportUseCase,
  REPORT_JOB,
  REPORT_QUEUE,
  type ReportJob,
  reportSealContext,
} from '@sealpost/audit';
import { seedMessages } from '@sealpost/audit/testing';
import { EnvelopeCipher, OrganisationsService } from '@sealpost/core';
import Bull from 'bull';
import { DataSource } from 'typeorm';
import { startTestWorker, type TestWorker } from '../testing/test-worker';

const run = promisify(execFile);

interface StoredReport {
  status: string;
  progress: number;
  content_ciphertext: Buffer | null;
  content_wrapped_key: Buffer | null;
  content_key_id: string | null;
}

/** The whole worker as main.ts builds it: Bull, the report processor, the build. */
describe('report worker (real PostgreSQL, Redis, pdftotext)', () => {
  let started: TestWorker | undefined;
  let worker: TestingModule;
  let queue: Bull.Queue<ReportJob>;
  let dataSource: DataSource;
  let organisationId: string;

  beforeAll(async () => {
    started = await startTestWorker();
    worker = started.worker;
    const { redis } = started.config;
    queue = new Bull(REPORT_QUEUE, redis.url, { prefix: redis.queuePrefix });
    dataSource = worker.get(DataSource);
    ({ id: organisationId } = await worker.get(OrganisationsService).create('report-org'));
    await seedMessages(dataSource, organisationId, [
      {
        acceptedAt: '2026-11-01T08:00:00Z',
        copies: [
          { status: 'delivered', method: 'pgp' },
          { status: 'delivered', method: 'portal' },
          { status: 'bounced', smtpResponse: '550 5.7.1 refused by policy' },
        ],
        events: [
          { type: 'portal.viewed', at: '2026-11-01T09:00:00Z' },
          { type: 'opened', at: '2026-11-01T09:30:00Z' },
        ],
      },
    ]);
  });

  afterAll(async () => {
    await queue?.close();
    await started?.close();
  });

  async function queuedReport(format: 'pdf' | 'csv'): Promise<string> {
    const reportId = randomUUID();
    await dataSource.query(
      `INSERT INTO reports (id, organisation_id, format, range_from, range_to, status,
                            requested_by_type, requested_by_id, expires_at)
       VALUES ($1, $2, $3, '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 'queued',
               'system', 'test', now() + interval '1 day')`,
      [reportId, organisationId, format],
    );
    return reportId;
  }

  async function stored(reportId: string): Promise<StoredReport> {
    const [row] = await dataSource.query<StoredReport[]>(
      `SELECT status, progress, content_ciphertext, content_wrapped_key, content_key_id
         FROM reports WHERE id = $1`,
      [reportId],
    );
    return row;
  }

  it('builds a queued PDF through Bull with progress on the job, sealed at rest', async () => {
    const reportId = await queuedReport('pdf');
    const progress: number[] = [];
    queue.on('global:progress', (jobId: string, value: number) => {
      if (jobId === reportId) {
        progress.push(value);
      }
    });
    const done = new Promise<void>((resolve) =>
      queue.on('global:completed', (jobId: string) => jobId === reportId && resolve()),
    );

    await queue.add(REPORT_JOB, { v: 1, organisationId, reportId }, { jobId: reportId });
    await done;
    const row = await stored(reportId);
    const pdf = worker.get(EnvelopeCipher).open(
      {
        ciphertext: row.content_ciphertext!,
        wrappedKey: row.content_wrapped_key!,
        keyId: row.content_key_id!,
      },
      reportSealContext(organisationId, reportId),
    );
    const extract = run('pdftotext', ['-layout', '-', '-']);
    extract.child.stdin?.end(pdf);
    const { stdout: text } = await extract;

    expect(row).toMatchObject({ status: 'ready', progress: 100 });
    expect(row.content_ciphertext!.includes(Buffer.from('%PDF'))).toBe(false);
    expect(progress).toContain(100);
    expect(text).toContain(`Organisation: ${organisationId}`);
    expect(text).toMatch(/^\s*pgp\s+1\s*$/m);
    expect(text).toMatch(/^\s*5\.7\.x\s+1\s*$/m);
    expect(text).toMatch(/^\s*views\s+1\s*$/m);
    expect(text).toMatch(/^\s*2026-11-01\s+1\s+3\s+2\s+1\s+0\s+0\s+1\s+0\s+1\s*$/m);
  });

  it('reports progress step by step from claim to 100', async () => {
    const reportId = await queuedReport('pdf');
    const steps: number[] = [];

    await worker
      .get(BuildReportUseCase, { strict: false })
      .execute({ v: 1, organisationId, reportId }, (value) => {
        steps.push(value);
        return Promise.resolve();
      });

    expect(steps.length).toBeGreaterThanOrEqual(8);
    expect(steps[0]).toBe(5);
    expect(steps[steps.length - 1]).toBe(100);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
  });

  it('ignores a job for another organisation than its report', async () => {
    const reportId = await queuedReport('csv');
    const other = await worker.get(OrganisationsService).create('other-org');

    const built = await worker
      .get(BuildReportUseCase, { strict: false })
      .execute({ v: 1, organisationId: other.id, reportId });

    expect(built).toBe(false);
    expect(await stored(reportId)).toMatchObject({ status: 'queued', content_ciphertext: null });
  });
});
