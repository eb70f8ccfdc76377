import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, ErrorCode, RequireScope, SealpostError } from '@sealpost/core';
import { AppointmentJourneysQuery, type AppointmentView } from '@sealpost/fhir';
import { ListAppointmentsQueryDto } from './fhir-appointments.dto';

/** The EHR appointments a connection applied, and the journeys each started or ended. */
@ApiTags('fhir')
@ApiBearerAuth()
@Controller('v1/fhir/connections/:id/appointments')
export class FhirAppointmentsController {
  constructor(private readonly appointments: AppointmentJourneysQuery) {}

  @Get()
  @RequireScope('fhir:manage')
  list(
    @Caller() caller: AuthContext,
    @Param(
      'id',
      new ParseUUIDPipe({
        exceptionFactory: () => new SealpostError(ErrorCode.NotFound, 'No such FHIR connection.'),
      }),
    )
    id: string,
    @Query() query: ListAppointmentsQueryDto,
  ): Promise<{ data: AppointmentView[]; nextCursor: string | null }> {
    return this.appointments.list(caller.organisationId, id, {
      after: query.cursor,
      limit: query.limit,
    });
  }
}
