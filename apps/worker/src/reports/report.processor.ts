import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  BuildReportUseCase,
  REPORT_JOB,
  REPORT_QUEUE,
  type ReportJob,
  reportJobSchema,
} from '@sealpost/audit';
import { type Job, Queue } from 'bull';

// A report build holds one database connection and some CPU for PDF drawing; two at a time
// keeps a burst of requests from starving delivery on a small machine.
const REPORT_CONCURRENCY = 2;

/** Builds requested reports; progress goes to the report row and to the Bull job. */
@Injectable()
export class ReportProcessor implements OnModuleInit {
  private readonly logger = new Logger(ReportProcessor.name);

  constructor(
    @InjectQueue(REPORT_QUEUE) private readonly queue: Queue<ReportJob>,
    private readonly build: BuildReportUseCase,
  ) {}

  onModuleInit(): void {
    void this.queue.process(REPORT_JOB, REPORT_CONCURRENCY, (job: Job) => this.handle(job));
  }

  private async handle(job: Job): Promise<void> {
    const parsed = reportJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error({ jobId: job.id }, 'report job rejected: invalid data');
      return;
    }
    await this.build.execute(parsed.data, (progress) => job.progress(progress));
  }
}
