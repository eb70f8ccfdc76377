import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, ErrorCode, RequireScope, SealpostError } from '@sealpost/core';
import { RecordEventUseCase, type RecordedEvent } from '@sealpost/workflow';
import { RecordEventDto } from './workflow.dto';

/** Events from other systems (a form, the EHR): they start workflows with event triggers. */
@ApiTags('workflows')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: RecordEventUseCase) {}

  @Post()
  @HttpCode(202)
  @RequireScope('events:write')
  @ApiResponse({ status: 202, description: 'The workflows this event enrolled the contact in.' })
  @ApiResponse({ status: 404, description: 'No contact with that id or email.' })
  record(@Caller() caller: AuthContext, @Body() dto: RecordEventDto): Promise<RecordedEvent> {
    if ((dto.contactId === undefined) === (dto.email === undefined)) {
      throw new SealpostError(ErrorCode.ValidationFailed, 'Name the contact by id or by email.', [
        { path: 'contactId', message: 'exactly one of contactId and email is required' },
      ]);
    }
    return this.events.execute(caller, {
      type: dto.type,
      ...(dto.contactId ? { contactId: dto.contactId } : { email: dto.email }),
      data: dto.data ?? {},
    });
  }
}
