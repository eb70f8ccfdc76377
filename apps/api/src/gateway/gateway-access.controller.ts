import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  apiKeyActor,
  type AuthContext,
  Caller,
  ErrorCode,
  RequireScope,
  SealpostError,
} from '@sealpost/core';
import {
  type CreatedGatewayCredential,
  GatewayAccessService,
  type GatewayCredentialView,
  type GatewayStatus,
  GatewayStatusService,
  type SenderRangeView,
} from '@sealpost/messaging';
import { AddSenderRangeDto, CreateGatewayCredentialDto } from './gateway-access.dto';

const notFound = (what: string) =>
  new ParseUUIDPipe({ exceptionFactory: () => new SealpostError(ErrorCode.NotFound, what) });

/** Who may hand mail to the SMTP gateway for the caller's organisation. */
@ApiTags('smtp-gateway')
@ApiBearerAuth()
@Controller('v1/gateway')
export class GatewayAccessController {
  constructor(
    private readonly access: GatewayAccessService,
    private readonly statuses: GatewayStatusService,
  ) {}

  /** Whether mail can reach the gateway for the caller, and what it took in the last day. */
  @Get('status')
  @RequireScope('gateway:manage')
  status(@Caller() caller: AuthContext): Promise<GatewayStatus> {
    return this.statuses.status(caller.organisationId);
  }

  /** The password is in this response only; Sealpost keeps just its hash. */
  @Post('credentials')
  @RequireScope('gateway:manage')
  createCredential(
    @Caller() caller: AuthContext,
    @Body() dto: CreateGatewayCredentialDto,
  ): Promise<CreatedGatewayCredential> {
    return this.access.createCredential(caller.organisationId, dto.name, apiKeyActor(caller));
  }

  @Get('credentials')
  @RequireScope('gateway:manage')
  async listCredentials(@Caller() caller: AuthContext): Promise<{ data: GatewayCredentialView[] }> {
    return { data: await this.access.listCredentials(caller.organisationId) };
  }

  @Delete('credentials/:id')
  @HttpCode(204)
  @RequireScope('gateway:manage')
  async revokeCredential(
    @Caller() caller: AuthContext,
    @Param('id', notFound('No such gateway credential.')) id: string,
  ): Promise<void> {
    await this.access.revokeCredential(caller.organisationId, id, apiKeyActor(caller));
  }

  @Post('sender-ranges')
  @RequireScope('gateway:manage')
  addSenderRange(
    @Caller() caller: AuthContext,
    @Body() dto: AddSenderRangeDto,
  ): Promise<SenderRangeView> {
    return this.access.addSenderRange(
      caller.organisationId,
      dto.cidr,
      dto.senderDomains ?? [],
      apiKeyActor(caller),
    );
  }

  @Get('sender-ranges')
  @RequireScope('gateway:manage')
  async listSenderRanges(@Caller() caller: AuthContext): Promise<{ data: SenderRangeView[] }> {
    return { data: await this.access.listSenderRanges(caller.organisationId) };
  }

  @Delete('sender-ranges/:id')
  @HttpCode(204)
  @RequireScope('gateway:manage')
  async removeSenderRange(
    @Caller() caller: AuthContext,
    @Param('id', notFound('No such sender range.')) id: string,
  ): Promise<void> {
    await this.access.removeSenderRange(caller.organisationId, id, apiKeyActor(caller));
  }
}
