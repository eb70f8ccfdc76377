import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { apiKeyActor, type AuthContext, Caller, RequireScope } from '@sealpost/core';
import {
  GoogleConnectionsService,
  type GoogleConnectionView,
  GoogleWorkspaceJobs,
  type GoogleWorkspaceStatus,
  GoogleWorkspaceStatusService,
} from '@sealpost/google-workspace';
import { CreateGoogleConnectionDto, UpdateGoogleConnectionDto } from './google-workspace.dto';

/** The organisation's Google Workspace connection, its status, and a sync on request. */
@ApiTags('connectors')
@ApiBearerAuth()
@Controller('v1/connectors/google-workspace')
export class GoogleWorkspaceController {
  constructor(
    private readonly connections: GoogleConnectionsService,
    private readonly status: GoogleWorkspaceStatusService,
    private readonly jobs: GoogleWorkspaceJobs,
  ) {}

  @Post()
  @RequireScope('connectors:manage')
  @ApiResponse({ status: 201, description: 'Created; the key is never shown again.' })
  create(
    @Caller() caller: AuthContext,
    @Body() dto: CreateGoogleConnectionDto,
  ): Promise<GoogleConnectionView> {
    return this.connections.create(caller.organisationId, dto, apiKeyActor(caller));
  }

  @Get()
  @RequireScope('connectors:manage')
  view(@Caller() caller: AuthContext): Promise<GoogleConnectionView> {
    return this.connections.view(caller.organisationId);
  }

  @Patch()
  @RequireScope('connectors:manage')
  update(
    @Caller() caller: AuthContext,
    @Body() dto: UpdateGoogleConnectionDto,
  ): Promise<GoogleConnectionView> {
    return this.connections.update(caller.organisationId, dto, apiKeyActor(caller));
  }

  @Delete()
  @HttpCode(204)
  @RequireScope('connectors:manage')
  async remove(@Caller() caller: AuthContext): Promise<void> {
    await this.connections.remove(caller.organisationId, apiKeyActor(caller));
  }

  @Get('status')
  @RequireScope('connectors:manage')
  statusOf(@Caller() caller: AuthContext): Promise<GoogleWorkspaceStatus> {
    return this.status.status(caller.organisationId);
  }

  /** Directory sync now, then watches for new mailboxes; the worker does it. */
  @Post('sync')
  @HttpCode(202)
  @RequireScope('connectors:manage')
  async sync(@Caller() caller: AuthContext): Promise<{ queued: true }> {
    await this.connections.requestSync(caller.organisationId, apiKeyActor(caller));
    await this.jobs.syncDirectory(caller.organisationId);
    return { queued: true };
  }
}
