import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { BuildReportUseCase } from './build-report.use-case';
import { ReportCsvStream } from './report-csv-stream';
import { ReportFiguresQuery } from './report-figures.query';
import { REPORT_QUEUE } from './report-job';
import { ReportsService } from './reports.service';

/** The api side: request, status, sealed download, streamed CSV. */
@Module({
  imports: [BullModule.registerQueue({ name: REPORT_QUEUE })],
  providers: [ReportFiguresQuery, ReportCsvStream, ReportsService],
  exports: [ReportsService],
})
export class ReportsModule {}

/** The worker side: builds requested reports. */
@Module({
  imports: [BullModule.registerQueue({ name: REPORT_QUEUE })],
  providers: [ReportFiguresQuery, BuildReportUseCase],
  exports: [BuildReportUseCase, BullModule],
})
export class ReportBuildModule {}
