import { createReadStream, statSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { type Command } from 'commander';
import { ErrorCode, SealpostError } from '@sealpost/core';
import {
  ContactCsvImportService,
  ContactFieldsService,
  type CsvImportReport,
  SystemClock,
} from '@sealpost/workflow';
import { print, withContext } from './cli-context';
import { ProgressLine } from './progress-line';

interface ImportOptions {
  org: string;
  allOrNothing?: boolean;
  json?: boolean;
}

/** Exit status when the file was read but some lines were rejected: scripts can tell. */
const EXIT_REJECTED_LINES = 2;

export function registerContactsCommands(program: Command): void {
  const contacts = program.command('contacts').description('contacts');
  contacts
    .command('import')
    .argument('<file>', 'CSV file; first line a header: email, name, time_zone, ... and fields')
    .requiredOption('--org <name>', 'organisation name')
    .option('--all-or-nothing', 'import nothing if any line is rejected')
    .option('--json', 'print the report as JSON')
    .description(
      'create or update contacts from a CSV file; valid lines are imported and every rejected ' +
        `line is listed (exit status ${EXIT_REJECTED_LINES} when there are any)`,
    )
    .action(async (file: string, options: ImportOptions) => {
      // The services log for servers; here the report is the output, so stdout stays clean.
      Logger.overrideLogger(false);
      const size = fileSize(file);
      const progress = new ProgressLine();
      const report = await withContext(async ({ organisations, dataSource }) => {
        const organisation = await organisations.findByName(options.org);
        if (!organisation) {
          throw new SealpostError(ErrorCode.NotFound, `no organisation named "${options.org}"`);
        }
        const importer = new ContactCsvImportService(
          dataSource,
          new ContactFieldsService(dataSource),
          new SystemClock(),
        );
        try {
          return await importer.import(organisation.id, createReadStream(file), {
            mode: options.allOrNothing ? 'all-or-nothing' : 'valid-rows',
            onProgress: ({ bytesRead, rows, imported, rejected }) =>
              progress.update(
                size ? bytesRead / size : 1,
                `${rows} lines, ${imported} imported, ${rejected} rejected`,
              ),
          });
        } finally {
          progress.done();
        }
      });

      if (options.json) {
        print(JSON.stringify(report));
      } else {
        printSummary(report);
      }
      if (report.rejected > 0) {
        process.exitCode = EXIT_REJECTED_LINES;
      }
    });
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    throw new SealpostError(ErrorCode.NotFound, `cannot read the file ${file}`);
  }
}

function printSummary(report: CsvImportReport): void {
  if (report.rolledBack) {
    print(
      `Imported nothing: ${report.rejected} of ${report.rows} lines were rejected ` +
        '(--all-or-nothing).',
    );
  } else {
    print(
      `Imported ${report.imported} of ${report.rows} contacts ` +
        `(${report.created} created, ${report.updated} updated); ` +
        `${report.rejected} lines rejected.`,
    );
  }
  for (const rejected of report.rejectedLines) {
    print(`  line ${rejected.line}: ${rejected.reason}`);
  }
}
