import { Transform, type TransformCallback } from 'node:stream';
import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, ErrorCode, RequireScope, SealpostError } from '@sealpost/core';
import { ContactCsvImportService, type CsvImportReport } from '@sealpost/workflow';
import type { Request } from 'express';
import { CsvImportQuery } from './contacts.dto';

/** About 200,000 contacts of ordinary width; larger files go through the CLI. */
const MAX_CSV_BYTES = 50 * 1024 * 1024;

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('v1/contacts/import')
export class ContactsImportController {
  constructor(private readonly importer: ContactCsvImportService) {}

  /**
   * Streams a `text/csv` body (header line first) into contacts and answers with the report:
   * counts, and every rejected line with its reason.
   */
  @Post()
  @HttpCode(200)
  @RequireScope('contacts:write')
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: 'email,name,time_zone\nann@example.net,Ann,UTC' } })
  async import(
    @Caller() caller: AuthContext,
    @Query() query: CsvImportQuery,
    @Req() request: Request,
  ): Promise<CsvImportReport> {
    if (!request.is('text/csv')) {
      throw new SealpostError(
        ErrorCode.UnsupportedMediaType,
        'Send the file as the request body with Content-Type: text/csv.',
      );
    }
    if (Number(request.headers['content-length'] ?? 0) > MAX_CSV_BYTES) {
      throw tooLarge();
    }
    return this.importer.import(caller.organisationId, request.pipe(byteLimit(MAX_CSV_BYTES)), {
      mode: query.mode,
    });
  }
}

/** Fails the stream once more than `limit` bytes passed: a body sent without a length. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      callback(seen > limit ? tooLarge() : null, chunk);
    },
  });
}

function tooLarge(): SealpostError {
  return new SealpostError(
    ErrorCode.PayloadTooLarge,
    `A CSV upload holds at most ${MAX_CSV_BYTES / 1024 / 1024} MB; ` +
      'import larger files with the CLI.',
  );
}
