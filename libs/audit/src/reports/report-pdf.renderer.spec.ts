import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type ReportFigures } from './report-figures';
import { renderReportPdf } from './report-pdf.renderer';

const run = promisify(execFile);

function figuresOver(days: number): ReportFigures {
  return {
    methods: [
      { method: 'pgp', copies: 12 },
      { method: 'tls', copies: 30 },
    ],
    outcomes: [{ outcome: 'delivered', copies: 42 }],
    bounces: { total: 3, byClass: [{ statusClass: '5.1.x', copies: 3 }] },
    portal: { views: 7, downloads: 2, replies: 1, lockouts: 0 },
    engagement: { opens: 9, clicks: 4, uniqueOpenedMessages: 6, uniqueClickedMessages: 3 },
    days: Array.from({ length: days }, (_, index) => ({
      day: new Date(Date.UTC(2026, 0, 1 + index)).toISOString().slice(0, 10),
      messages: index,
      copies: 2 * index,
      delivered: index,
      bounced: 0,
      failed: 0,
      pending: 0,
      opens: 0,
      clicks: 0,
      portalViews: 0,
    })),
  };
}

async function textOf(pdf: Buffer): Promise<string> {
  const child = run('pdftotext', ['-layout', '-', '-']);
  child.child.stdin?.end(pdf);
  return (await child).stdout;
}

describe('renderReportPdf', () => {
  const heading = {
    organisationId: '6a3a9a52-6f0e-4d4e-9a43-0d4f1f6f3c11',
    range: { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') },
    generatedAt: new Date('2027-01-02T03:04:05Z'),
  };

  it('writes a title page, charts and tables whose text pdftotext reads back', async () => {
    const pages: number[] = [];

    const pdf = await renderReportPdf(heading, figuresOver(3), (page) => {
      pages.push(page);
      return Promise.resolve();
    });
    const text = await textOf(pdf);

    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(text).toContain(`Organisation: ${heading.organisationId}`);
    expect(text).toContain('Generated at: 2027-01-02T03:04:05.000Z');
    expect(text).toMatch(/^\s*tls\s+30\s*$/m);
    expect(text).toMatch(/^\s*unique_clicked_messages\s+3\s*$/m);
    expect(pages).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it('breaks a year of days over pages', async () => {
    const pdf = await renderReportPdf(heading, figuresOver(365));
    const text = await textOf(pdf);

    expect(text).toMatch(/^\s*2026-12-31\s+364\s+728\s/m);
    expect(text.split('\f').length).toBeGreaterThan(8);
  });
});
