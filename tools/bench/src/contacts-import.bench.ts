import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { createDataSource, dropDatabase, migrateDatabase } from '@sealpost/core';
import { ContactCsvImportService, ContactFieldsService, SystemClock } from '@sealpost/workflow';
import { type DataSource } from 'typeorm';
import { print, progress, seconds, warnIfBusy } from './bench-report';

export interface ContactsImportBenchOptions {
  rows: number;
  postgresUrl: string;
}

// The importer writes 500 rows per statement pair; the reference uses the same batch size so
// the ratio shows what parsing, validation and upsert cost, not a batching difference.
const RAW_BATCH = 500;
const WARM_UP_ROWS = 2_000;

/**
 * Imports N contacts from a CSV file through the import service (stream, parse, validate,
 * upsert in batches) and compares its rate with plain multi-row INSERTs of the same rows into
 * the same table, in the same run, on a throw-away database. Returns the exit code.
 */
export async function runContactsImportBench(options: ContactsImportBenchOptions): Promise<number> {
  warnIfBusy();
  Logger.overrideLogger(['warn', 'error']);
  const url = new URL(options.postgresUrl);
  url.pathname = `/sealpost_bench_${randomBytes(6).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-bench-csv-'));
  await migrateDatabase(url.href);
  const dataSource = createDataSource(url.href, []);
  await dataSource.initialize();
  try {
    const fields = new ContactFieldsService(dataSource);
    const importer = new ContactCsvImportService(dataSource, fields, new SystemClock());
    const organisation = async (name: string): Promise<string> => {
      const [{ id }] = await dataSource.query<{ id: string }[]>(
        `INSERT INTO organisations (name) VALUES ($1) RETURNING id`,
        [name],
      );
      await fields.define(id, 'visits', 'number');
      await fields.define(id, 'appointment_at', 'datetime');
      return id;
    };

    const warmFile = writeCsv(dir, 'warm.csv', WARM_UP_ROWS, 'warm');
    const file = writeCsv(dir, 'contacts.csv', options.rows, 'bench');
    progress(`warming up with ${WARM_UP_ROWS} rows each way`);
    await rawInsert(dataSource, await organisation('raw-warm'), WARM_UP_ROWS, 'warm');
    await importer.import(await organisation('import-warm'), createReadStream(warmFile));

    progress(`raw INSERT of ${options.rows} rows`);
    const rawStart = performance.now();
    await rawInsert(dataSource, await organisation('raw'), options.rows, 'bench');
    const rawMs = performance.now() - rawStart;

    progress(`CSV import of ${options.rows} rows`);
    const rssBefore = process.memoryUsage().rss;
    const importStart = performance.now();
    const report = await importer.import(await organisation('import'), createReadStream(file));
    const importMs = performance.now() - importStart;
    if (report.imported !== options.rows || report.rejected !== 0) {
      throw new Error(`import wrote ${report.imported} rows, rejected ${report.rejected}`);
    }

    const rawRate = options.rows / (rawMs / 1000);
    const importRate = options.rows / (importMs / 1000);
    const rssMb = (process.memoryUsage().rss / 1024 / 1024).toFixed(0);
    const growthMb = ((process.memoryUsage().rss - rssBefore) / 1024 / 1024).toFixed(0);
    print(`raw INSERT (batches of ${RAW_BATCH}): ${seconds(rawMs)}, ${rawRate.toFixed(0)} rows/s`);
    print(
      `CSV import (stream, parse, validate, upsert): ${seconds(importMs)}, ` +
        `${importRate.toFixed(0)} rows/s, RSS ${rssMb} MB (+${growthMb} MB during the import)`,
    );
    print(
      `contacts-import: import ${importRate.toFixed(0)} rows/s, raw insert ` +
        `${rawRate.toFixed(0)} rows/s, ratio ${(importRate / rawRate).toFixed(2)}`,
    );
    return 0;
  } finally {
    await dataSource.destroy();
    await dropDatabase(url.href);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A CSV with a typed number and datetime per row, as a clinic export would have. */
function writeCsv(dir: string, name: string, rows: number, prefix: string): string {
  const lines = ['email,name,time_zone,visits,appointment_at'];
  for (let i = 0; i < rows; i += 1) {
    lines.push(
      `${prefix}.${i}@example.net,Patient ${i},America/Chicago,${i % 40},` +
        `2026-0${1 + (i % 9)}-1${i % 10}T09:30:00-06:00`,
    );
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** The reference: the same rows written by plain multi-row INSERTs, no parsing or checks. */
async function rawInsert(
  dataSource: DataSource,
  organisationId: string,
  rows: number,
  prefix: string,
): Promise<void> {
  for (let start = 0; start < rows; start += RAW_BATCH) {
    const count = Math.min(RAW_BATCH, rows - start);
    const index = Array.from({ length: count }, (_, i) => start + i);
    await dataSource.query(
      `INSERT INTO contacts
         (id, organisation_id, email, email_normalised, name, time_zone, fields)
       SELECT u.id, $1, u.email, u.email, u.name, 'America/Chicago', u.fields
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::jsonb[])
              AS u(id, email, name, fields)`,
      [
        organisationId,
        index.map(() => randomUUID()),
        index.map((i) => `${prefix}.${i}@example.net`),
        index.map((i) => `Patient ${i}`),
        index.map((i) =>
          JSON.stringify({
            visits: i % 40,
            appointment_at: `2026-0${1 + (i % 9)}-1${i % 10}T09:30:00-06:00`,
          }),
        ),
      ],
    );
  }
}
