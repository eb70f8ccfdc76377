import { z } from 'zod';

/** Bull queue of report builds; a job names the report, the worker re-reads the rest. */
export const REPORT_QUEUE = 'reports';
export const REPORT_JOB = 'build-report';

export const reportJobSchema = z.object({
  v: z.literal(1),
  organisationId: z.uuid(),
  reportId: z.uuid(),
});

export type ReportJob = z.infer<typeof reportJobSchema>;

export const REPORT_FORMATS = ['pdf', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export type ReportStatus = 'queued' | 'running' | 'ready' | 'failed';

/** What GET /v1/reports/:id shows: state and progress, never the content. */
export interface ReportView {
  id: string;
  format: ReportFormat;
  from: string;
  to: string;
  status: ReportStatus;
  progress: number;
  failureCode: string | null;
  sizeBytes: number | null;
  createdAt: string;
  completedAt: string | null;
  expiresAt: string;
}

/** Binds a sealed report to its row: copied into another row or organisation it fails. */
export function reportSealContext(organisationId: string, reportId: string): string {
  return `report:${organisationId}:${reportId}`;
}
