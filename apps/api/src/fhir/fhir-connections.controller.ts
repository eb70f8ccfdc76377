import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  apiKeyActor,
  type AuthContext,
  Caller,
  ErrorCode,
  RequireScope,
  SealpostError,
} from '@sealpost/core';
import {
  type AppointmentTriggerView,
  AppointmentTriggersService,
  appointmentTriggerViewOf,
  type FhirConnectionTest,
  type FhirConnectionView,
  FhirConnectionsService,
  FhirSigningKeysService,
  type SigningKeyView,
  TestFhirConnectionUseCase,
} from '@sealpost/fhir';
import { AddFhirSigningKeyDto, CreateFhirConnectionDto, UpdateFhirConnectionDto } from './fhir.dto';

const uuid = (what: string) =>
  new ParseUUIDPipe({ exceptionFactory: () => new SealpostError(ErrorCode.NotFound, what) });
const CONNECTION = 'No such FHIR connection.';

/** Connections to EHRs and the keys Sealpost signs SMART assertions with. */
@ApiTags('fhir')
@ApiBearerAuth()
@Controller('v1/fhir')
export class FhirConnectionsController {
  constructor(
    private readonly connections: FhirConnectionsService,
    private readonly test: TestFhirConnectionUseCase,
    private readonly keys: FhirSigningKeysService,
    private readonly triggers: AppointmentTriggersService,
  ) {}

  @Post('connections')
  @RequireScope('fhir:manage')
  @ApiResponse({ status: 201, description: 'Created; a bearer token is never shown again.' })
  create(
    @Caller() caller: AuthContext,
    @Body() dto: CreateFhirConnectionDto,
  ): Promise<FhirConnectionView> {
    return this.connections.create(caller.organisationId, dto, apiKeyActor(caller));
  }

  @Get('connections')
  @RequireScope('fhir:manage')
  async list(@Caller() caller: AuthContext): Promise<{ data: FhirConnectionView[] }> {
    return { data: await this.connections.list(caller.organisationId) };
  }

  @Get('connections/:id')
  @RequireScope('fhir:manage')
  async view(
    @Caller() caller: AuthContext,
    @Param('id', uuid(CONNECTION)) id: string,
  ): Promise<FhirConnectionView & { appointmentTrigger: AppointmentTriggerView | null }> {
    const connection = await this.connections.view(caller.organisationId, id);
    const trigger = await this.triggers.find(caller.organisationId, id);
    return {
      ...connection,
      appointmentTrigger: trigger ? appointmentTriggerViewOf(trigger) : null,
    };
  }

  @Patch('connections/:id')
  @RequireScope('fhir:manage')
  update(
    @Caller() caller: AuthContext,
    @Param('id', uuid(CONNECTION)) id: string,
    @Body() dto: UpdateFhirConnectionDto,
  ): Promise<FhirConnectionView> {
    return this.connections.update(caller.organisationId, id, dto, apiKeyActor(caller));
  }

  @Delete('connections/:id')
  @HttpCode(204)
  @RequireScope('fhir:manage')
  async remove(
    @Caller() caller: AuthContext,
    @Param('id', uuid(CONNECTION)) id: string,
  ): Promise<void> {
    await this.connections.remove(caller.organisationId, id, apiKeyActor(caller));
  }

  /** Reads the server's /metadata, tries the credentials, and keeps what it found. */
  @Post('connections/:id/test')
  @HttpCode(200)
  @RequireScope('fhir:manage')
  testConnection(
    @Caller() caller: AuthContext,
    @Param('id', uuid(CONNECTION)) id: string,
  ): Promise<FhirConnectionTest> {
    return this.test.execute(caller.organisationId, id);
  }

  @Get('keys')
  @RequireScope('fhir:manage')
  async listKeys(@Caller() caller: AuthContext): Promise<{ data: SigningKeyView[] }> {
    return { data: await this.keys.list(caller.organisationId) };
  }

  /** Rotation: the new key is published at once and signs a few minutes later. */
  @Post('keys')
  @RequireScope('fhir:manage')
  addKey(
    @Caller() caller: AuthContext,
    @Body() dto: AddFhirSigningKeyDto,
  ): Promise<SigningKeyView> {
    return this.keys.add(caller.organisationId, dto.algorithm ?? 'ES384', apiKeyActor(caller));
  }

  @Delete('keys/:kid')
  @HttpCode(204)
  @RequireScope('fhir:manage')
  async removeKey(
    @Caller() caller: AuthContext,
    @Param('kid', uuid('No such FHIR signing key.')) kid: string,
  ): Promise<void> {
    await this.keys.remove(caller.organisationId, kid, apiKeyActor(caller));
  }
}
