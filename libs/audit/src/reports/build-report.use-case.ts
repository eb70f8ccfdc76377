import { Injectable, Logger } from '@nestjs/common';
import { Clock, EnvelopeCipher, safeErrorFields } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { csvSection } from './report-csv';
import { ReportFiguresQuery } from './report-figures.query';
import { type ReportFormat, type ReportJob, reportSealContext } from './report-job';
import { renderReportPdf } from './report-pdf.renderer';
import { type ReportHeading, reportTables } from './report-table';

// Progress shown to the caller: figures are most of the work on a large range, then drawing.
const CLAIMED = 5;
const FIGURES_DONE = 70;
const RENDERED = 95;
const PDF_PAGES_BEFORE_TABLES = 2;
const PDF_TABLES = 6;

interface ClaimedReport {
  format: ReportFormat;
  range_from: Date;
  range_to: Date;
}

export type ProgressListener = (progress: number) => Promise<void>;

/**
 * Builds one requested report in the worker: re-reads the request, computes the figures in
 * one snapshot, renders the PDF or CSV, seals it and stores it with the report. Progress is
 * written to the report row as it goes; a failure marks the report failed with a code.
 */
@Injectable()
export class BuildReportUseCase {
  private readonly logger = new Logger(BuildReportUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly figures: ReportFiguresQuery,
    private readonly cipher: EnvelopeCipher,
    private readonly clock: Clock,
  ) {}

  /** Returns false when there was nothing to build (unknown, expired or already finished). */
  async execute(
    job: ReportJob,
    onProgress: ProgressListener = () => Promise.resolve(),
  ): Promise<boolean> {
    const { organisationId, reportId } = job;
    // TypeORM answers an UPDATE ... RETURNING with [rows, affected count].
    const [[claimed]]: [ClaimedReport[], number] = await this.dataSource.query(
      `UPDATE reports SET status = 'running', progress = $3, updated_at = now()
        WHERE id = $1 AND organisation_id = $2 AND status IN ('queued', 'running')
          AND expires_at > now()
        RETURNING format, range_from, range_to`,
      [reportId, organisationId, CLAIMED],
    );
    if (!claimed) {
      return false;
    }
    const progress = async (value: number) => {
      await this.dataSource.query(
        `UPDATE reports SET progress = GREATEST(progress, $3), updated_at = now()
          WHERE id = $1 AND organisation_id = $2`,
        [reportId, organisationId, Math.round(value)],
      );
      await onProgress(Math.round(value));
    };
    await onProgress(CLAIMED);

    try {
      const content = await this.render(job, claimed, progress);
      const sealed = this.cipher.seal(content, reportSealContext(organisationId, reportId));
      await this.dataSource.query(
        `UPDATE reports SET status = 'ready', progress = 100, content_ciphertext = $3,
                            content_wrapped_key = $4, content_key_id = $5, size_bytes = $6,
                            completed_at = now(), updated_at = now()
          WHERE id = $1 AND organisation_id = $2`,
        [
          reportId,
          organisationId,
          sealed.ciphertext,
          sealed.wrappedKey,
          sealed.keyId,
          content.length,
        ],
      );
      await onProgress(100);
      this.logger.log(
        { organisationId, reportId, format: claimed.format, sizeBytes: content.length },
        'report built',
      );
      return true;
    } catch (error) {
      this.logger.error(
        { organisationId, reportId, err: safeErrorFields(error) },
        'report build failed',
      );
      await this.dataSource.query(
        `UPDATE reports SET status = 'failed', failure_code = 'build_failed', updated_at = now()
          WHERE id = $1 AND organisation_id = $2`,
        [reportId, organisationId],
      );
      return true;
    }
  }

  private async render(
    job: ReportJob,
    claimed: ClaimedReport,
    progress: ProgressListener,
  ): Promise<Buffer> {
    const range = { from: claimed.range_from, to: claimed.range_to };
    const figures = await this.figures.all(job.organisationId, range, (done, of) =>
      progress(CLAIMED + ((FIGURES_DONE - CLAIMED) * done) / of),
    );
    const heading: ReportHeading = {
      organisationId: job.organisationId,
      range,
      generatedAt: this.clock.now(),
    };

    if (claimed.format === 'csv') {
      const text = reportTables(heading, figures)
        .map((table) => [...csvSection(table)].join(''))
        .join('');
      await progress(RENDERED);
      return Buffer.from(text, 'utf8');
    }
    const pages = PDF_PAGES_BEFORE_TABLES + PDF_TABLES;
    const pdf = await renderReportPdf(heading, figures, (page) =>
      progress(FIGURES_DONE + ((RENDERED - FIGURES_DONE) * Math.min(page, pages)) / pages),
    );
    await progress(RENDERED);
    return pdf;
  }
}
