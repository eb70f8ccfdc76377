import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  apiKeyActor,
  type AuthContext,
  Caller,
  ErrorCode,
  RequireScope,
  SealpostError,
} from '@sealpost/core';
import { type AppointmentTriggerView, AppointmentTriggersService } from '@sealpost/fhir';
import { ConfigureAppointmentTriggerDto } from './fhir-appointments.dto';

const connectionId = () =>
  new ParseUUIDPipe({
    exceptionFactory: () => new SealpostError(ErrorCode.NotFound, 'No such FHIR connection.'),
  });

/** Which workflow a connection's EHR appointments start, and how they are polled. */
@ApiTags('fhir')
@ApiBearerAuth()
@Controller('v1/fhir/connections/:id/appointment-trigger')
export class FhirAppointmentTriggersController {
  constructor(private readonly triggers: AppointmentTriggersService) {}

  @Put()
  @RequireScope('fhir:manage')
  @ApiResponse({
    status: 200,
    description: 'Saved; notificationSecret is present once, when it was made.',
  })
  configure(
    @Caller() caller: AuthContext,
    @Param('id', connectionId()) id: string,
    @Body() dto: ConfigureAppointmentTriggerDto,
  ): Promise<AppointmentTriggerView> {
    return this.triggers.configure(caller.organisationId, id, dto, apiKeyActor(caller));
  }

  /** The settings and what the last poll found (cursor, time, error). */
  @Get()
  @RequireScope('fhir:manage')
  view(
    @Caller() caller: AuthContext,
    @Param('id', connectionId()) id: string,
  ): Promise<AppointmentTriggerView> {
    return this.triggers.view(caller.organisationId, id);
  }

  @Delete()
  @HttpCode(204)
  @RequireScope('fhir:manage')
  async remove(
    @Caller() caller: AuthContext,
    @Param('id', connectionId()) id: string,
  ): Promise<void> {
    await this.triggers.remove(caller.organisationId, id, apiKeyActor(caller));
  }
}
