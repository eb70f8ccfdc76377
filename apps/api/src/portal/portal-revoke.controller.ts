import { Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, ErrorCode, RequireScope, SealpostError } from '@sealpost/core';
import { RevokePortalLinkUseCase } from '@sealpost/messaging';

const notFound = () => new SealpostError(ErrorCode.NotFound, 'No portal link for this recipient.');

@ApiTags('portal')
@ApiBearerAuth()
@Controller('v1/messages/:id/recipients/:recipientId/portal')
export class PortalRevokeController {
  constructor(private readonly revokeLink: RevokePortalLinkUseCase) {}

  /** Withdraws the recipient's portal link at once; open sessions end. Idempotent. */
  @Post('revoke')
  @HttpCode(200)
  @RequireScope('messages:send')
  @ApiResponse({ status: 200, description: 'Revoked (or already revoked): the time it was.' })
  @ApiResponse({ status: 404, description: 'No portal link for this recipient of yours.' })
  revoke(
    @Caller() caller: AuthContext,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: notFound })) messageId: string,
    @Param('recipientId', new ParseUUIDPipe({ exceptionFactory: notFound })) recipientId: string,
  ): Promise<{ recipientId: string; revokedAt: string }> {
    return this.revokeLink.execute(caller, messageId, recipientId);
  }
}
