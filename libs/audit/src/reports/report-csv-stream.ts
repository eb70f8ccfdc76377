import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { csvSection } from './report-csv';
import { ReportFiguresQuery, SNAPSHOT_SETTINGS } from './report-figures.query';
import { type ReportRange } from './report-range';
import {
  bouncesTable,
  daysTable,
  engagementTable,
  headingTable,
  methodsTable,
  outcomesTable,
  portalTable,
} from './report-table';

/**
 * A CSV report as a stream of lines: each section is queried and written before the next is
 * queried, so the response starts at once and the file is never held whole. All sections read
 * one snapshot (a read-only REPEATABLE READ transaction held for the stream's life).
 */
@Injectable()
export class ReportCsvStream {
  constructor(
    private readonly dataSource: DataSource,
    private readonly figures: ReportFiguresQuery,
  ) {}

  async *lines(
    organisationId: string,
    range: ReportRange,
    generatedAt: Date,
  ): AsyncGenerator<string> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query(SNAPSHOT_SETTINGS);
      const tx = runner.manager;

      yield* csvSection(headingTable({ organisationId, range, generatedAt }));
      yield* csvSection(methodsTable(await this.figures.methods(tx, organisationId, range)));
      yield* csvSection(outcomesTable(await this.figures.outcomes(tx, organisationId, range)));
      yield* csvSection(bouncesTable(await this.figures.bounces(tx, organisationId, range)));
      const { portal, engagement } = await this.figures.activity(tx, organisationId, range);
      yield* csvSection(portalTable(portal));
      yield* csvSection(engagementTable(engagement));
      yield* csvSection(daysTable(await this.figures.days(tx, organisationId, range)));

      await runner.commitTransaction();
    } finally {
      // Also reached when the client goes away mid-stream: the snapshot ends with it.
      if (runner.isTransactionActive) {
        await runner.rollbackTransaction();
      }
      await runner.release();
    }
  }
}
