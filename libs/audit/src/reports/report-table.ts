import { type ReportFigures } from './report-figures';
import { type ReportRange } from './report-range';

/** One section of a report as rows and columns; the CSV and the PDF both print these. */
export interface ReportTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface ReportHeading {
  organisationId: string;
  range: ReportRange;
  generatedAt: Date;
}

export function headingTable(heading: ReportHeading): ReportTable {
  return {
    title: 'Report',
    columns: ['organisation_id', 'from', 'to', 'generated_at'],
    rows: [
      [
        heading.organisationId,
        heading.range.from.toISOString(),
        heading.range.to.toISOString(),
        heading.generatedAt.toISOString(),
      ],
    ],
  };
}

export function methodsTable(methods: ReportFigures['methods']): ReportTable {
  return {
    title: 'Volumes by protection method',
    columns: ['method', 'copies'],
    rows: methods.map((row) => [row.method, row.copies]),
  };
}

export function outcomesTable(outcomes: ReportFigures['outcomes']): ReportTable {
  return {
    title: 'Delivery outcomes',
    columns: ['outcome', 'copies'],
    rows: outcomes.map((row) => [row.outcome, row.copies]),
  };
}

export function bouncesTable(bounces: ReportFigures['bounces']): ReportTable {
  return {
    title: 'Bounces by SMTP status class',
    columns: ['status_class', 'copies'],
    rows: [...bounces.byClass.map((row) => [row.statusClass, row.copies]), ['all', bounces.total]],
  };
}

export function portalTable(portal: ReportFigures['portal']): ReportTable {
  return {
    title: 'Portal access',
    columns: ['measure', 'count'],
    rows: [
      ['views', portal.views],
      ['downloads', portal.downloads],
      ['replies', portal.replies],
      ['lockouts', portal.lockouts],
    ],
  };
}

export function engagementTable(engagement: ReportFigures['engagement']): ReportTable {
  return {
    title: 'Engagement',
    columns: ['measure', 'count'],
    rows: [
      ['opens', engagement.opens],
      ['clicks', engagement.clicks],
      ['unique_opened_messages', engagement.uniqueOpenedMessages],
      ['unique_clicked_messages', engagement.uniqueClickedMessages],
    ],
  };
}

export function daysTable(days: ReportFigures['days']): ReportTable {
  return {
    title: 'By day',
    columns: [
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
    rows: days.map((d) => [
      d.day,
      d.messages,
      d.copies,
      d.delivered,
      d.bounced,
      d.failed,
      d.pending,
      d.opens,
      d.clicks,
      d.portalViews,
    ]),
  };
}

/** Every section in print order. */
export function reportTables(heading: ReportHeading, figures: ReportFigures): ReportTable[] {
  return [
    headingTable(heading),
    methodsTable(figures.methods),
    outcomesTable(figures.outcomes),
    bouncesTable(figures.bounces),
    portalTable(figures.portal),
    engagementTable(figures.engagement),
    daysTable(figures.days),
  ];
}
