import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, Optional } from '@nestjs/common';
import {
  apiKeyActor,
  AuditLog,
  type AuthContext,
  Clock,
  EnvelopeCipher,
  ErrorCode,
  requireAuditLog,
  safeErrorFields,
  SealpostError,
} from '@sealpost/core';
import { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { ReportCsvStream } from './report-csv-stream';
import {
  REPORT_JOB,
  REPORT_QUEUE,
  type ReportFormat,
  type ReportJob,
  reportSealContext,
  type ReportStatus,
  type ReportView,
} from './report-job';
import { checkReportRange, type ReportRange } from './report-range';

// Long enough to download a finished report over a week, short enough that sealed copies do
// not pile up; a new one is a request away.
const REPORT_RETENTION = '7 days';

// A build that crashed mid-way is tried again once; a second failure marks the report failed.
const BUILD_ATTEMPTS = 2;

interface ReportRow {
  id: string;
  format: ReportFormat;
  range_from: Date;
  range_to: Date;
  status: ReportStatus;
  progress: number;
  failure_code: string | null;
  size_bytes: number | null;
  created_at: Date;
  completed_at: Date | null;
  expires_at: Date;
}

interface SealedRow extends ReportRow {
  content_ciphertext: Buffer | null;
  content_wrapped_key: Buffer | null;
  content_key_id: string | null;
}

export interface ReportDownload {
  format: ReportFormat;
  fileName: string;
  content: Buffer;
}

const COLUMNS = `id, format, range_from, range_to, status, progress, failure_code, size_bytes,
                 created_at, completed_at, expires_at`;

/**
 * Compliance reports for the caller's organisation: requested as jobs, read back sealed, and
 * every download on the audit chain before a byte leaves (fail closed).
 */
@Injectable()
export class ReportsService {
  private readonly logger = new Logger(ReportsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    private readonly clock: Clock,
    private readonly csvStream: ReportCsvStream,
    @InjectQueue(REPORT_QUEUE) private readonly queue: Queue<ReportJob>,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async request(
    caller: AuthContext,
    format: ReportFormat,
    range: ReportRange,
  ): Promise<ReportView> {
    checkReportRange(range);
    const audit = requireAuditLog(this.audit);
    const organisationId = caller.organisationId;
    const id = randomUUID();
    const actor = apiKeyActor(caller);

    const row = await this.dataSource.transaction(async (tx) => {
      // Expired reports of this organisation go as new ones arrive.
      await tx.query(`DELETE FROM reports WHERE organisation_id = $1 AND expires_at <= now()`, [
        organisationId,
      ]);
      const [inserted]: ReportRow[] = await tx.query(
        `INSERT INTO reports (id, organisation_id, format, range_from, range_to, status,
                              requested_by_type, requested_by_id, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, now() + interval '${REPORT_RETENTION}')
         RETURNING ${COLUMNS}`,
        [id, organisationId, format, range.from, range.to, actor.type, actor.id],
      );
      await audit.append(tx, {
        organisationId,
        actor,
        action: 'report.requested',
        target: { type: 'report', id },
        details: rangeDetails(format, range),
      });
      return inserted;
    });

    try {
      await this.queue.add(
        REPORT_JOB,
        { v: 1, organisationId, reportId: id },
        { jobId: id, attempts: BUILD_ATTEMPTS, removeOnComplete: true, removeOnFail: true },
      );
    } catch (error) {
      this.logger.error(
        { organisationId, reportId: id, err: safeErrorFields(error) },
        'report not queued',
      );
      await this.dataSource.query(
        `UPDATE reports SET status = 'failed', failure_code = 'queue_unavailable',
                            updated_at = now()
          WHERE id = $1 AND organisation_id = $2`,
        [id, organisationId],
      );
      throw new SealpostError(
        ErrorCode.ServiceUnavailable,
        'The report could not be queued; try again shortly.',
      );
    }
    return viewOf(row);
  }

  async get(caller: AuthContext, id: string): Promise<ReportView> {
    const [row]: ReportRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM reports
        WHERE id = $1 AND organisation_id = $2 AND expires_at > now()`,
      [id, caller.organisationId],
    );
    if (!row) {
      throw notFound();
    }
    return viewOf(row);
  }

  /** The report's bytes, once its download is on the audit chain. */
  async download(caller: AuthContext, id: string): Promise<ReportDownload> {
    const organisationId = caller.organisationId;
    const [row]: SealedRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS}, content_ciphertext, content_wrapped_key, content_key_id FROM reports
        WHERE id = $1 AND organisation_id = $2 AND expires_at > now()`,
      [id, organisationId],
    );
    if (!row) {
      throw notFound();
    }
    if (row.status !== 'ready' || !row.content_ciphertext || !row.content_wrapped_key) {
      throw new SealpostError(
        ErrorCode.InvalidState,
        `The report is ${row.status}; download it when its status is ready.`,
      );
    }
    const content = this.cipher.open(
      {
        ciphertext: row.content_ciphertext,
        wrappedKey: row.content_wrapped_key,
        keyId: row.content_key_id ?? '',
      },
      reportSealContext(organisationId, id),
    );

    await this.recordDownload(caller, id, row.format, {
      from: row.range_from,
      to: row.range_to,
    });
    return {
      format: row.format,
      fileName: fileNameOf(row.format, row.range_from, row.range_to),
      content,
    };
  }

  /**
   * A CSV report streamed as it is computed. The download is recorded (under a fresh report
   * id the response names) before the first line is produced.
   */
  async streamCsv(
    caller: AuthContext,
    range: ReportRange,
  ): Promise<{ fileName: string; reportId: string; lines: AsyncGenerator<string> }> {
    checkReportRange(range);
    const reportId = randomUUID();
    await this.recordDownload(caller, reportId, 'csv', range, true);
    return {
      reportId,
      fileName: fileNameOf('csv', range.from, range.to),
      lines: this.csvStream.lines(caller.organisationId, range, this.clock.now()),
    };
  }

  private async recordDownload(
    caller: AuthContext,
    reportId: string,
    format: ReportFormat,
    range: ReportRange,
    streamed = false,
  ): Promise<void> {
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction((tx) =>
      audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action: 'report.downloaded',
        target: { type: 'report', id: reportId },
        details: { ...rangeDetails(format, range), streamed },
      }),
    );
  }
}

function rangeDetails(format: ReportFormat, range: ReportRange): Record<string, string> {
  return { format, from: range.from.toISOString(), to: range.to.toISOString() };
}

function notFound(): SealpostError {
  return new SealpostError(ErrorCode.NotFound, 'No such report.');
}

function fileNameOf(format: ReportFormat, from: Date, to: Date): string {
  const day = (date: Date) => date.toISOString().slice(0, 10);
  return `sealpost-report-${day(from)}-${day(to)}.${format}`;
}

function viewOf(row: ReportRow): ReportView {
  return {
    id: row.id,
    format: row.format,
    from: row.range_from.toISOString(),
    to: row.range_to.toISOString(),
    status: row.status,
    progress: row.progress,
    failureCode: row.failure_code,
    sizeBytes: row.size_bytes,
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
    expiresAt: row.expires_at.toISOString(),
  };
}
