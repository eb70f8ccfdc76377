import { Module } from '@nestjs/common';
import { ReportBuildModule } from '@sealpost/audit';
import { ReportProcessor } from './report.processor';

/** Compliance report builds requested through the api. */
@Module({
  imports: [ReportBuildModule],
  providers: [ReportProcessor],
})
export class ReportWorkerModule {}
