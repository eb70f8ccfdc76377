import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BuildReportUseCase,
  REPORT_QUEUE,
  ReportFiguresQuery,
  type ReportJob,
  type ReportView,
} from '@sealpost/audit';
import { seedMessages, type SeedMessage } from '@sealpost/audit/testing';
import { Clock, EnvelopeCipher, SystemClock, type UserRole } from '@sealpost/core';
import { FakeClock } from '@sealpost/core/testing';
import Bull from 'bull';
import { parse } from 'csv-parse/sync';
import Redis from 'ioredis';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';
import { signInKit } from '../users/testing/sign-in-kit';

const run = promisify(execFile);
const NOVEMBER = '?from=2026-11-01T00:00:00Z&to=2026-11-04T00:00:00Z';
const RANGE = { from: '2026-11-01T00:00:00Z', to: '2026-11-04T00:00:00Z' };

// Nine copies of four messages in range; the rest lies just outside it and must not count.
const CLINIC: SeedMessage[] = [
  {
    acceptedAt: '2026-11-01T08:00:00Z',
    copies: [
      { status: 'delivered', method: 'pgp' },
      { status: 'delivered', method: 'smime' },
    ],
    events: [
      { type: 'opened', at: '2026-11-01T09:00:00Z' },
      { type: 'opened', at: '2026-11-01T10:00:00Z' },
      { type: 'clicked', at: '2026-11-02T10:00:00Z' },
    ],
  },
  {
    acceptedAt: '2026-11-01T23:59:59Z',
    copies: [
      { status: 'delivered', method: 'tls' },
      {
        status: 'bounced',
        smtpResponse: '550 5.1.1 <gone@patients.example>: Recipient address rejected',
      },
    ],
    events: [{ type: 'opened', at: '2026-11-02T07:00:00Z' }],
  },
  {
    acceptedAt: '2026-11-02T12:00:00Z',
    copies: [
      { status: 'delivered', method: 'portal' },
      { status: 'failed' },
      { status: 'deferred' },
    ],
    events: [
      { type: 'portal.viewed', at: '2026-11-02T13:00:00Z' },
      { type: 'portal.viewed', at: '2026-11-02T14:00:00Z' },
      { type: 'portal.downloaded', at: '2026-11-02T14:01:00Z' },
      { type: 'portal.replied', at: '2026-11-02T14:05:00Z' },
      { type: 'portal.locked', at: '2026-11-02T15:00:00Z' },
      { type: 'portal.code_failed', at: '2026-11-02T15:00:00Z' },
    ],
  },
  {
    acceptedAt: '2026-11-02T18:00:00Z',
    copies: [
      { status: 'bounced', smtpResponse: '421 4.4.2 mx.patients.example timed out' },
      { status: 'delivered', method: 'none' },
    ],
    events: [{ type: 'opened', at: '2026-11-04T00:00:00Z' }],
  },
  {
    acceptedAt: '2026-10-31T23:59:59Z',
    copies: [{ status: 'delivered', method: 'pgp' }],
    events: [{ type: 'opened', at: '2026-10-31T23:59:59Z' }],
  },
  { acceptedAt: '2026-11-04T00:00:00Z', copies: [{ status: 'delivered', method: 'tls' }] },
];

// Another organisation's traffic on the same days: three TLS copies, all opened.
const NEIGHBOUR: SeedMessage[] = [
  {
    acceptedAt: '2026-11-01T12:00:00Z',
    copies: [
      { status: 'delivered', method: 'tls' },
      { status: 'delivered', method: 'tls' },
      { status: 'delivered', method: 'tls' },
    ],
    events: [{ type: 'opened', at: '2026-11-01T13:00:00Z' }],
  },
];

type Sections = Map<string, string[][]>;

/** Splits the parsed CSV at blank lines: title row, header row, data rows. */
function sectionsOf(text: string): Sections {
  const records: string[][] = parse(text, { relax_column_count: true, skip_empty_lines: false });
  const sections: Sections = new Map();
  let current: string[][] | null = null;
  for (const record of records) {
    if (record.length === 1 && record[0] === '') {
      current = null;
    } else if (!current) {
      current = [];
      sections.set(record[0], current);
    } else {
      current.push(record);
    }
  }
  return sections;
}

/** A section's rows as {first column: second column}, numbers parsed. */
function pairs(sections: Sections, title: string): Record<string, number> {
  const [, ...rows] = sections.get(title) ?? [];
  return Object.fromEntries(rows.map(([name, value]) => [name, Number(value)]));
}

/**
 * The api side on the real app: the job it queues is taken from Redis and built by the same
 * use case the worker runs (the worker's own spec drives its processor through Bull).
 */
describe('Reports API (real PostgreSQL, Redis, pdftotext)', () => {
  const clock = new FakeClock();
  let api: TestApi;
  let queue: Bull.Queue<ReportJob>;
  let builder: BuildReportUseCase;
  let clinic: Tenant;
  let neighbour: Tenant;
  let scratch: string;

  beforeAll(async () => {
    api = await startTestApi({}, (module) => module.overrideProvider(Clock).useValue(clock));
    queue = new Bull(REPORT_QUEUE, api.config.redis.url, {
      prefix: api.config.redis.queuePrefix,
    });
    builder = new BuildReportUseCase(
      api.dataSource,
      new ReportFiguresQuery(api.dataSource),
      api.app.get(EnvelopeCipher),
      new SystemClock(),
    );
    clinic = await createTenant(api, ['admin']);
    neighbour = await createTenant(api, ['admin']);
    await seedMessages(api.dataSource, clinic.organisationId, CLINIC);
    await seedMessages(api.dataSource, neighbour.organisationId, NEIGHBOUR);
    scratch = await mkdtemp(join(tmpdir(), 'sealpost-reports-'));
  });

  afterAll(async () => {
    await queue?.close();
    if (api) {
      const redis = new Redis(api.config.redis.url);
      const keys = await redis.keys(`${api.config.redis.queuePrefix}:*`);
      if (keys.length) {
        await redis.del(...keys);
      }
      redis.disconnect();
      await api.close();
    }
    if (scratch) {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  const csvOf = (who: Tenant, query = NOVEMBER) =>
    call(api, 'GET', `/v1/reports/summary.csv${query}`, { token: who.token });

  async function requestReport(token: string, format: 'pdf' | 'csv') {
    return call<ReportView>(api, 'POST', '/v1/reports', { token, body: { format, ...RANGE } });
  }

  /**
   * Takes the queued job from Redis and builds it as the worker would; returns the progress
   * GET /v1/reports/:id showed at each step.
   */
  async function awaitReady(token: string, id: string): Promise<number[]> {
    const job = await queue.getJob(id);
    expect(job?.data).toEqual({ v: 1, organisationId: expect.any(String), reportId: id });
    const seen: number[] = [];
    await builder.execute(job!.data, async () => {
      const state = await call<ReportView>(api, 'GET', `/v1/reports/${id}`, { token });
      seen.push(state.body.progress);
    });
    const state = await call<ReportView>(api, 'GET', `/v1/reports/${id}`, { token });
    expect(state.body).toMatchObject({ status: 'ready', progress: 100 });
    return seen;
  }

  async function download(token: string, id: string) {
    const response = await fetch(`${api.baseUrl}/v1/reports/${id}/download`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { response, bytes: Buffer.from(await response.arrayBuffer()) };
  }

  async function pdfText(bytes: Buffer): Promise<string> {
    const file = join(scratch, `${randomUUID()}.pdf`);
    await writeFile(file, bytes);
    const { stdout } = await run('pdftotext', ['-layout', file, '-']);
    return stdout;
  }

  function downloadsOf(organisationId: string, reportId?: string) {
    return api.dataSource.query<{ target_id: string; details: Record<string, unknown> }[]>(
      `SELECT target_id, details FROM audit_records
        WHERE organisation_id = $1 AND action = 'report.downloaded'
          AND ($2::text IS NULL OR target_id = $2) ORDER BY sequence`,
      [organisationId, reportId ?? null],
    );
  }

  it('streams a CSV that parses into the expected figures, section by section', async () => {
    const response = await csvOf(clinic);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const sections = sectionsOf(response.text);
    expect(sections.get('Report')?.[1]).toEqual([
      clinic.organisationId,
      '2026-11-01T00:00:00.000Z',
      '2026-11-04T00:00:00.000Z',
      expect.any(String),
    ]);
    expect(pairs(sections, 'Volumes by protection method')).toEqual({
      pgp: 1,
      smime: 1,
      tls: 1,
      portal: 1,
      none: 1,
      failed: 3,
      pending: 1,
    });
    expect(pairs(sections, 'Delivery outcomes')).toEqual({
      delivered: 5,
      bounced: 2,
      failed: 1,
      pending: 1,
    });
    expect(pairs(sections, 'Bounces by SMTP status class')).toEqual({
      '4.4.x': 1,
      '5.1.x': 1,
      all: 2,
    });
    expect(pairs(sections, 'Portal access')).toEqual({
      views: 2,
      downloads: 1,
      replies: 1,
      lockouts: 1,
    });
    expect(pairs(sections, 'Engagement')).toEqual({
      opens: 3,
      clicks: 1,
      unique_opened_messages: 2,
      unique_clicked_messages: 1,
    });
    expect(sections.get('By day')).toEqual([
      [
        'day',
        'messages',
        'copies',
        'delivered',
        'bounced',
        'failed',
        'pending',
        'opens',
        'clicks',
        'portal_views',
      ],
      ['2026-11-01', '2', '4', '3', '1', '0', '0', '2', '0', '0'],
      ['2026-11-02', '2', '5', '2', '1', '1', '1', '1', '1', '2'],
      ['2026-11-03', '0', '0', '0', '0', '0', '0', '0', '0', '0'],
    ]);
  });

  it('records each CSV download on the audit chain before sending it', async () => {
    const before = await downloadsOf(clinic.organisationId);

    const response = await csvOf(clinic);

    const after = await downloadsOf(clinic.organisationId);
    expect(after).toHaveLength(before.length + 1);
    expect(after[after.length - 1].target_id).toBe(response.headers.get('sealpost-report-id'));
    expect(after[after.length - 1].details).toEqual({
      format: 'csv',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-04T00:00:00.000Z',
      streamed: true,
    });
  });

  it('builds a queued PDF with progress; pdftotext finds the figures', async () => {
    const requested = await requestReport(clinic.token, 'pdf');

    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({ status: 'queued', progress: 0, format: 'pdf' });
    const progress = await awaitReady(clinic.token, requested.body.id);
    expect(progress.length).toBeGreaterThanOrEqual(8);
    expect(progress[0]).toBe(5);
    expect(progress[progress.length - 1]).toBe(100);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);

    const { response, bytes } = await download(clinic.token, requested.body.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(bytes);
    expect(text).toContain('Sealpost compliance report');
    expect(text).toContain(`Organisation: ${clinic.organisationId}`);
    expect(text).toContain('From: 2026-11-01T00:00:00.000Z');
    for (const [method, copies] of Object.entries({ pgp: 1, failed: 3, pending: 1 })) {
      expect(text).toMatch(new RegExp(`^\\s*${method}\\s+${copies}\\s*$`, 'm'));
    }
    expect(text).toMatch(/^\s*delivered\s+5\s*$/m);
    expect(text).toMatch(/^\s*5\.1\.x\s+1\s*$/m);
    expect(text).toMatch(/^\s*views\s+2\s*$/m);
    expect(text).toMatch(/^\s*unique_opened_messages\s+2\s*$/m);
    expect(text).toMatch(/^\s*2026-11-02\s+2\s+5\s+2\s+1\s+1\s+1\s+1\s+1\s+2\s*$/m);

    const audited = await downloadsOf(clinic.organisationId, requested.body.id);
    expect(audited).toHaveLength(1);
    expect(audited[0].details).toMatchObject({ format: 'pdf', streamed: false });
  });

  it('builds a CSV job too, sealed at rest', async () => {
    const requested = await requestReport(clinic.token, 'csv');
    await awaitReady(clinic.token, requested.body.id);

    const { bytes } = await download(clinic.token, requested.body.id);
    const [stored] = await api.dataSource.query<{ content_ciphertext: Buffer }[]>(
      `SELECT content_ciphertext FROM reports WHERE id = $1`,
      [requested.body.id],
    );

    expect(pairs(sectionsOf(bytes.toString()), 'Delivery outcomes')).toMatchObject({
      delivered: 5,
    });
    expect(stored.content_ciphertext.includes(Buffer.from('Delivery outcomes'))).toBe(false);
  });

  it("answers 404 to another organisation's report and counts none of its data", async () => {
    const requested = await requestReport(clinic.token, 'pdf');
    await awaitReady(clinic.token, requested.body.id);

    const status = await call(api, 'GET', `/v1/reports/${requested.body.id}`, {
      token: neighbour.token,
    });
    const { response } = await download(neighbour.token, requested.body.id);
    const theirs = sectionsOf((await csvOf(neighbour)).text);

    expect(status.status).toBe(404);
    expect(status.body).toMatchObject({ code: 'not_found' });
    expect(response.status).toBe(404);
    expect(await downloadsOf(neighbour.organisationId)).toHaveLength(1);
    expect(pairs(theirs, 'Delivery outcomes')).toEqual({
      delivered: 3,
      bounced: 0,
      failed: 0,
      pending: 0,
    });
    expect(pairs(theirs, 'Engagement')).toMatchObject({ opens: 1 });
  });

  it('shows no addresses, sender, SMTP replies or hosts: counts only', async () => {
    const requested = await requestReport(clinic.token, 'pdf');
    await awaitReady(clinic.token, requested.body.id);
    const pdf = await pdfText((await download(clinic.token, requested.body.id)).bytes);
    const csv = (await csvOf(clinic)).text;

    for (const text of [pdf, csv]) {
      expect(text).not.toContain('@');
      expect(text).not.toContain('patients.example');
      expect(text).not.toContain('clinic.example');
      expect(text).not.toContain('Recipient address rejected');
    }
  });

  it('answers 409 to a download before the report is ready and 422 to a bad range', async () => {
    const reportId = randomUUID();
    await api.dataSource.query(
      `INSERT INTO reports (id, organisation_id, format, range_from, range_to, status,
                            requested_by_type, requested_by_id, expires_at)
       VALUES ($1, $2, 'pdf', $3, $4, 'running', 'system', 'test', now() + interval '1 day')`,
      [reportId, clinic.organisationId, RANGE.from, RANGE.to],
    );

    const early = await download(clinic.token, reportId);
    const inverted = await csvOf(clinic, '?from=2026-11-04T00:00:00Z&to=2026-11-01T00:00:00Z');
    const tooLong = await requestReport(clinic.token, 'pdf').then(() =>
      call(api, 'POST', '/v1/reports', {
        token: clinic.token,
        body: { format: 'pdf', from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      }),
    );

    expect(early.response.status).toBe(409);
    expect(inverted.status).toBe(422);
    expect(tooLong.status).toBe(422);
    expect(await downloadsOf(clinic.organisationId, reportId)).toHaveLength(0);
  });

  describe('people', () => {
    async function sessionFor(role: UserRole): Promise<string> {
      const kit = signInKit(api, clock, clinic.token);
      return kit.sessionOf(await kit.enrol(role));
    }

    it('lets a compliance officer request and download; the download names them', async () => {
      const officer = await sessionFor('compliance');
      const [{ id: officerId }] = await api.dataSource.query<{ id: string }[]>(
        `SELECT id FROM users WHERE organisation_id = $1 AND role = 'compliance'`,
        [clinic.organisationId],
      );

      const requested = await requestReport(officer, 'pdf');
      await awaitReady(officer, requested.body.id);
      const { response } = await download(officer, requested.body.id);
      const streamed = await csvOf({ ...clinic, token: officer });

      expect(requested.status).toBe(202);
      expect(response.status).toBe(200);
      expect(streamed.status).toBe(200);
      const [record] = await api.dataSource.query<{ actor_type: string; actor_id: string }[]>(
        `SELECT actor_type, actor_id FROM audit_records
          WHERE organisation_id = $1 AND action = 'report.downloaded' AND target_id = $2`,
        [clinic.organisationId, requested.body.id],
      );
      expect(record).toEqual({ actor_type: 'user', actor_id: officerId });
    });

    it('refuses a sender with 403', async () => {
      const sender = await sessionFor('sender');

      const requested = await requestReport(sender, 'pdf');
      const streamed = await csvOf({ ...clinic, token: sender });

      expect(requested.status).toBe(403);
      expect(requested.body).toMatchObject({ code: 'insufficient_scope' });
      expect(streamed.status).toBe(403);
    });
  });

  describe('fails closed: no audit record, no download', () => {
    let reportId: string;
    const constraint = `refuse_reports_${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      const requested = await requestReport(clinic.token, 'pdf');
      reportId = requested.body.id;
      await awaitReady(clinic.token, reportId);
      // A real write failure of the audit chain for this organisation only.
      await api.dataSource.query(
        `ALTER TABLE audit_records ADD CONSTRAINT ${constraint}
           CHECK (organisation_id <> '${clinic.organisationId}') NOT VALID`,
      );
    });

    afterAll(async () => {
      await api.dataSource.query(`ALTER TABLE audit_records DROP CONSTRAINT ${constraint}`);
    });

    it('sends neither the PDF nor the streamed CSV', async () => {
      const { response, bytes } = await download(clinic.token, reportId);
      const streamed = await csvOf(clinic);

      expect(response.status).toBe(500);
      expect(bytes.includes(Buffer.from('%PDF'))).toBe(false);
      expect(streamed.status).toBe(500);
      expect(streamed.text).not.toContain('Delivery outcomes');
    });
  });
});
