import { type Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../scheduling/clock';
import { type Options, parse } from 'csv-parse';
import { DataSource, type EntityManager } from 'typeorm';
import { type ContactFieldDefinition } from '../contact-field-type';
import { ContactFieldsService } from '../contact-fields.service';
import { type ContactChange } from '../contact-input';
import { upsertContacts } from '../contact-writes';
import { contactErrors } from '../contacts-errors';
import { type CsvColumn, readCsvHeader, readCsvRow } from './contact-csv-columns';
import { csvSyntaxReason } from './csv-syntax-reason';

/** Rows written per statement pair: large enough to amortise round trips, small in memory. */
const BATCH_SIZE = 500;

/**
 * `valid-rows` (the default) imports every valid row and reports the others; `all-or-nothing`
 * imports nothing when any row is rejected. Either way the report lists each rejected line.
 */
export type CsvImportMode = 'valid-rows' | 'all-or-nothing';

export interface RejectedCsvLine {
  /** 1-based line of the file where the record starts (the header is line 1). */
  line: number;
  reason: string;
}

export interface CsvImportReport {
  mode: CsvImportMode;
  /** Data records read, rejected ones included. */
  rows: number;
  imported: number;
  created: number;
  updated: number;
  rejected: number;
  /** True when all-or-nothing found a rejected row and so wrote nothing. */
  rolledBack: boolean;
  rejectedLines: RejectedCsvLine[];
}

export interface CsvImportProgress {
  bytesRead: number;
  rows: number;
  imported: number;
  rejected: number;
}

export interface CsvImportOptions {
  mode?: CsvImportMode;
  onProgress?: (progress: CsvImportProgress) => void;
}

class RollBack extends Error {}

interface CsvRecord {
  cells: string[];
  line: number;
}

/** Streams a contacts CSV, validates each line and upserts the valid ones in batches. */
@Injectable()
export class ContactCsvImportService {
  private readonly logger = new Logger(ContactCsvImportService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly fields: ContactFieldsService,
    private readonly clock: Clock,
  ) {}

  async import(
    organisationId: string,
    input: Readable,
    options: CsvImportOptions = {},
  ): Promise<CsvImportReport> {
    const mode = options.mode ?? 'valid-rows';
    const catalog = await this.fields.fieldsOf(organisationId);
    const report: CsvImportReport = {
      mode,
      rows: 0,
      imported: 0,
      created: 0,
      updated: 0,
      rejected: 0,
      rolledBack: false,
      rejectedLines: [],
    };

    const run = (manager: EntityManager | null) =>
      this.readAll(organisationId, input, catalog, report, options, manager);
    if (mode === 'all-or-nothing') {
      try {
        await this.dataSource.transaction(async (manager) => {
          await run(manager);
          if (report.rejected > 0) {
            throw new RollBack();
          }
        });
      } catch (error) {
        if (!(error instanceof RollBack)) {
          throw error;
        }
        Object.assign(report, { imported: 0, created: 0, updated: 0, rolledBack: true });
      }
    } else {
      await run(null);
    }

    const { rows, imported, created, updated, rejected, rolledBack } = report;
    this.logger.log(
      { organisationId, mode, rows, imported, created, updated, rejected, rolledBack },
      'contacts CSV import',
    );
    return report;
  }

  /** `manager` is the all-or-nothing transaction; null commits each batch on its own. */
  private async readAll(
    organisationId: string,
    input: Readable,
    catalog: readonly ContactFieldDefinition[],
    report: CsvImportReport,
    importOptions: CsvImportOptions,
    manager: EntityManager | null,
  ): Promise<void> {
    // Line numbers are counted in the parser's own order (records and skipped errors are
    // reported synchronously as it reads), so a record spanning lines starts where it starts.
    let lastLine = 0;
    const options: Options<CsvRecord, string[]> = {
      bom: true,
      relax_column_count: true,
      skip_records_with_error: true,
      on_record: (cells, context) => {
        const record = { cells, line: lastLine + 1 };
        lastLine = context.lines;
        return record;
      },
      on_skip: (error) => {
        const first = lastLine + 1;
        const errorLine = typeof error?.lines === 'number' ? error.lines : first;
        report.rows += 1;
        this.reject(report, first, csvSyntaxReason(error?.code ?? 'CSV_ERROR', first, errorLine));
        lastLine = errorLine;
        return undefined;
      },
    };
    // parse() types on_record only in its `columns` overload; the options are the same.
    const parser = parse(options as unknown as Options);
    input.on('error', (error) => parser.destroy(error));
    input.pipe(parser);

    let columns: CsvColumn[] | null = null;
    const firstLineOfEmail = new Map<string, number>();
    let batch: { line: number; change: ContactChange }[] = [];
    const flush = async () => {
      if (batch.length) {
        await this.write(organisationId, batch, report, manager);
        batch = [];
      }
      importOptions.onProgress?.({
        bytesRead: parser.info.bytes,
        rows: report.rows,
        imported: report.imported,
        rejected: report.rejected,
      });
    };

    for await (const { cells: record, line } of parser as AsyncIterable<CsvRecord>) {
      if (record.length === 1 && record[0].trim() === '') {
        continue;
      }
      if (!columns) {
        const header = readCsvHeader(record, catalog);
        if (!header.ok) {
          input.unpipe(parser);
          parser.destroy();
          throw contactErrors.invalid(header.problems, 'CSV header');
        }
        columns = header.columns;
        continue;
      }

      report.rows += 1;
      const row = readCsvRow(record, columns, catalog);
      if (!row.ok) {
        this.reject(report, line, row.reasons.join('; '));
        continue;
      }
      const email = row.change.emailNormalised ?? '';
      const first = firstLineOfEmail.get(email);
      if (first !== undefined) {
        this.reject(report, line, `email: the same address as line ${first}`);
        continue;
      }
      firstLineOfEmail.set(email, line);
      batch.push({ line, change: row.change });
      if (batch.length >= BATCH_SIZE) {
        await flush();
      }
    }
    if (!columns) {
      throw contactErrors.invalid([{ path: 'file', message: 'has no header line' }], 'CSV file');
    }
    await flush();
    report.rejectedLines.sort((a, b) => a.line - b.line);
  }

  private async write(
    organisationId: string,
    batch: readonly { line: number; change: ContactChange }[],
    report: CsvImportReport,
    manager: EntityManager | null,
  ): Promise<void> {
    const changes = batch.map((row) => row.change);
    const now = this.clock.now();
    const outcomes = manager
      ? await upsertContacts(manager, organisationId, changes, now)
      : await this.dataSource.transaction((own) =>
          upsertContacts(own, organisationId, changes, now),
        );
    for (const outcome of outcomes) {
      report.imported += 1;
      report[outcome.created ? 'created' : 'updated'] += 1;
    }
  }

  private reject(report: CsvImportReport, line: number, reason: string): void {
    report.rejected += 1;
    report.rejectedLines.push({ line, reason });
  }
}
