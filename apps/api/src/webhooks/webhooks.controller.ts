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
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  type WebhookAttemptView,
  WebhookAttemptsService,
  type WebhookEndpointView,
  type WebhookEndpointWithSecret,
  WebhookEndpointsService,
  webhookNotFound,
} from '@sealpost/audit';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { CreateWebhookDto, ListAttemptsQuery, UpdateWebhookDto } from './webhook.dto';

const endpointId = () => new ParseUUIDPipe({ exceptionFactory: webhookNotFound });

/** Signed outbound webhooks (Standard Webhooks 1.0): endpoints, secrets, attempts, replay. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly attempts: WebhookAttemptsService,
  ) {}

  @Post()
  @RequireScope('webhooks:manage')
  @ApiResponse({ status: 201, description: 'Created; `secret` is shown this once.' })
  @ApiResponse({ status: 422, description: 'invalid_value (url_not_allowed) or validation.' })
  create(
    @Caller() caller: AuthContext,
    @Body() dto: CreateWebhookDto,
  ): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.create(caller, dto);
  }

  @Get()
  @RequireScope('webhooks:manage')
  async list(@Caller() caller: AuthContext): Promise<{ data: WebhookEndpointView[] }> {
    return { data: await this.endpoints.list(caller) };
  }

  @Get(':id')
  @RequireScope('webhooks:manage')
  get(
    @Caller() caller: AuthContext,
    @Param('id', endpointId()) id: string,
  ): Promise<WebhookEndpointView> {
    return this.endpoints.get(caller, id);
  }

  @Patch(':id')
  @RequireScope('webhooks:manage')
  update(
    @Caller() caller: AuthContext,
    @Param('id', endpointId()) id: string,
    @Body() dto: UpdateWebhookDto,
  ): Promise<WebhookEndpointView> {
    return this.endpoints.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('webhooks:manage')
  remove(@Caller() caller: AuthContext, @Param('id', endpointId()) id: string): Promise<void> {
    return this.endpoints.remove(caller, id);
  }

  /** A new secret, shown once; the old one keeps signing for 24 hours. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequireScope('webhooks:manage')
  rotateSecret(
    @Caller() caller: AuthContext,
    @Param('id', endpointId()) id: string,
  ): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.rotateSecret(caller, id);
  }

  @Get(':id/attempts')
  @RequireScope('webhooks:manage')
  async listAttempts(
    @Caller() caller: AuthContext,
    @Param('id', endpointId()) id: string,
    @Query() query: ListAttemptsQuery,
  ): Promise<{ data: WebhookAttemptView[] }> {
    return { data: await this.attempts.list(caller, id, query.limit ?? 50, query.before) };
  }

  /** Sends a message (msg_<event id>, as in webhook-id) to this endpoint again. */
  @Post(':id/messages/:messageId/replay')
  @HttpCode(202)
  @RequireScope('webhooks:manage')
  @ApiResponse({ status: 202, description: 'Queued with a fresh retry schedule.' })
  replay(
    @Caller() caller: AuthContext,
    @Param('id', endpointId()) id: string,
    @Param('messageId') messageId: string,
  ): Promise<{ messageId: string; deliveryId: string }> {
    return this.attempts.replay(caller, id, messageId);
  }
}
