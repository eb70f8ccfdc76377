import { Readable } from 'node:stream';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ReportsService, type ReportView } from '@sealpost/audit';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import type { Response } from 'express';
import { ReportRangeQueryDto, ReportRequestDto } from './report-request.dto';

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', pdf: 'application/pdf' } as const;

/**
 * Compliance reports (counts only) for the caller's organisation. Reading them is an audit
 * read: compliance officers hold `audit:read`; every download is on the audit chain.
 */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** Streams the CSV as it is computed; for a large range request a job instead. */
  @Get('summary.csv')
  @RequireScope('audit:read')
  async summaryCsv(
    @Caller() caller: AuthContext,
    @Query() query: ReportRangeQueryDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile> {
    const csv = await this.reports.streamCsv(caller, { from: query.from, to: query.to });
    // The id its audit record names, so a file can be matched to its download record.
    response.setHeader('Sealpost-Report-Id', csv.reportId);
    return new StreamableFile(Readable.from(csv.lines), {
      type: CONTENT_TYPES.csv,
      disposition: `attachment; filename="${csv.fileName}"`,
    });
  }

  /** Queues a PDF or CSV build; poll GET /v1/reports/:id, then download. */
  @Post()
  @HttpCode(202)
  @RequireScope('audit:read')
  request(@Caller() caller: AuthContext, @Body() body: ReportRequestDto): Promise<ReportView> {
    return this.reports.request(caller, body.format, { from: body.from, to: body.to });
  }

  @Get(':id')
  @RequireScope('audit:read')
  get(
    @Caller() caller: AuthContext,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<ReportView> {
    return this.reports.get(caller, id);
  }

  /** The finished file; answers 409 until the report is ready. */
  @Get(':id/download')
  @RequireScope('audit:read')
  async download(
    @Caller() caller: AuthContext,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<StreamableFile> {
    const report = await this.reports.download(caller, id);
    return new StreamableFile(report.content, {
      type: CONTENT_TYPES[report.format],
      disposition: `attachment; filename="${report.fileName}"`,
      length: report.content.length,
    });
  }
}
