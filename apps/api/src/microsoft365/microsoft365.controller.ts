import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
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
  type DirectorySyncOutcome,
  type M365ConnectionView,
  M365ConnectionsService,
  M365ConnectorError,
  M365Failure,
  type M365Status,
  M365StatusService,
  SentItemsSubscriptions,
  SyncDirectoryUseCase,
} from '@sealpost/microsoft365';
import { CreateM365ConnectionDto, UpdateM365ConnectionDto } from './microsoft365.dto';

/** The organisation's Microsoft 365 connection, its directory sync and its status. */
@ApiTags('connectors')
@ApiBearerAuth()
@Controller('v1/connectors/microsoft365')
export class Microsoft365Controller {
  constructor(
    private readonly connections: M365ConnectionsService,
    private readonly sync: SyncDirectoryUseCase,
    private readonly subscriptions: SentItemsSubscriptions,
    private readonly statuses: M365StatusService,
  ) {}

  @Post()
  @RequireScope('connectors:manage')
  @ApiResponse({ status: 201, description: 'Created; the secret or key is never shown again.' })
  create(
    @Caller() caller: AuthContext,
    @Body() dto: CreateM365ConnectionDto,
  ): Promise<M365ConnectionView> {
    return this.connections.create(caller.organisationId, dto, apiKeyActor(caller));
  }

  @Get()
  @RequireScope('connectors:manage')
  view(@Caller() caller: AuthContext): Promise<M365ConnectionView> {
    return this.connections.view(caller.organisationId);
  }

  @Patch()
  @RequireScope('connectors:manage')
  update(
    @Caller() caller: AuthContext,
    @Body() dto: UpdateM365ConnectionDto,
  ): Promise<M365ConnectionView> {
    return this.connections.update(caller.organisationId, dto, apiKeyActor(caller));
  }

  @Delete()
  @HttpCode(204)
  @RequireScope('connectors:manage')
  async remove(@Caller() caller: AuthContext): Promise<void> {
    await this.connections.remove(caller.organisationId, apiKeyActor(caller));
  }

  /** Runs a directory sync now (the worker also runs one hourly), then subscribes new users. */
  @Post('sync')
  @HttpCode(200)
  @RequireScope('connectors:manage')
  async syncNow(
    @Caller() caller: AuthContext,
  ): Promise<DirectorySyncOutcome & { subscriptions: { created: number; failed: number } }> {
    try {
      const outcome = await this.sync.execute(caller.organisationId);
      const subscriptions = await this.subscriptions.ensure(caller.organisationId);
      return { ...outcome, subscriptions };
    } catch (error) {
      throw asApiError(error);
    }
  }

  @Get('status')
  @RequireScope('connectors:manage')
  status(@Caller() caller: AuthContext): Promise<M365Status> {
    return this.statuses.status(caller.organisationId);
  }
}

/** Microsoft's refusal is the admin's to fix (409); no answer is Microsoft's (503). */
function asApiError(error: unknown): unknown {
  if (!(error instanceof M365ConnectorError)) {
    return error;
  }
  switch (error.failure) {
    case M365Failure.Unreachable:
      return new SealpostError(ErrorCode.ServiceUnavailable, `Microsoft 365: ${error.message}.`);
    case M365Failure.AuthRefused:
    case M365Failure.Rejected:
    case M365Failure.DeltaExpired:
    case M365Failure.NotConfigured:
      return new SealpostError(ErrorCode.InvalidState, `Microsoft 365: ${error.message}.`);
  }
}
