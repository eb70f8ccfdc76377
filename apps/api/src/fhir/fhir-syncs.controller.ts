import { Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  apiKeyActor,
  type AuthContext,
  Caller,
  ErrorCode,
  RequireScope,
  SealpostError,
} from '@sealpost/core';
import { type FhirSyncView, FhirSyncsService } from '@sealpost/fhir';

const messageId = () =>
  new ParseUUIDPipe({
    exceptionFactory: () => new SealpostError(ErrorCode.NotFound, 'No such message.'),
  });

/** Whether messages reached the EHR: per message, the failures, and replaying one. */
@ApiTags('fhir')
@ApiBearerAuth()
@Controller('v1/fhir')
export class FhirSyncsController {
  constructor(private readonly syncs: FhirSyncsService) {}

  /** One entry per recipient and connection; none when no connection charts the message. */
  @Get('messages/:messageId/sync')
  @RequireScope('messages:read')
  async forMessage(
    @Caller() caller: AuthContext,
    @Param('messageId', messageId()) id: string,
  ): Promise<{ data: FhirSyncView[] }> {
    return { data: await this.syncs.forMessage(caller.organisationId, id) };
  }

  /** Syncs that failed after their last retry (newest first, at most 200). */
  @Get('syncs/failed')
  @RequireScope('fhir:manage')
  async failed(@Caller() caller: AuthContext): Promise<{ data: FhirSyncView[] }> {
    return { data: await this.syncs.failed(caller.organisationId) };
  }

  @Post('syncs/:id/replay')
  @RequireScope('fhir:manage')
  replay(@Caller() caller: AuthContext, @Param('id') id: string): Promise<FhirSyncView> {
    if (!/^\d{1,18}$/.test(id)) {
      throw new SealpostError(ErrorCode.NotFound, 'No such EHR sync.');
    }
    return this.syncs.replay(caller.organisationId, id, apiKeyActor(caller));
  }
}
