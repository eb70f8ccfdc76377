import { Body, Controller, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorCode, PublicRoute, SealpostError } from '@sealpost/core';
import { ReceiveGmailPushUseCase } from '@sealpost/google-workspace';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Gmail notifications pushed by Pub/Sub. No API key: the push proves itself with a
 * Google-signed OIDC token (or the connection's secret token), checked before anything else
 * is read. A 204 acknowledges; anything else makes Pub/Sub retry.
 */
@ApiTags('connectors')
@Controller('google/pubsub')
export class GooglePubsubController {
  constructor(private readonly receive: ReceiveGmailPushUseCase) {}

  @Post(':connectionId')
  @PublicRoute()
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Taken (or not for a watched mailbox): acknowledged.' })
  @ApiResponse({ status: 401, description: 'No valid push token.' })
  async push(
    @Param('connectionId') connectionId: string,
    @Headers('authorization') authorization: string | undefined,
    @Query('token') token: string | undefined,
    @Body() body: unknown,
  ): Promise<void> {
    if (!authorization && !token) {
      throw new SealpostError(ErrorCode.Unauthenticated, 'A push credential is required.');
    }
    if (!UUID.test(connectionId)) {
      throw new SealpostError(ErrorCode.NotFound, 'No such Google Workspace connection.');
    }
    await this.receive.execute({
      connectionId,
      authorization,
      token: typeof token === 'string' ? token : undefined,
      body,
    });
  }
}
