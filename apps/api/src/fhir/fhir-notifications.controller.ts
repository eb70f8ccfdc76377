import { Body, Controller, Headers, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorCode, PublicRoute, SealpostError } from '@sealpost/core';
import { type NotificationReceipt, ReceiveNotificationUseCase } from '@sealpost/fhir';

/**
 * Where an EHR's rest-hook Subscription posts (FHIR R4 Subscriptions Backport). No API key:
 * the connection's notification secret, which the admin put in the Subscription's
 * channel.header as `Authorization: Bearer <secret>`, is the credential.
 */
@ApiTags('fhir')
@Controller('fhir/notifications')
export class FhirNotificationsController {
  constructor(private readonly receive: ReceiveNotificationUseCase) {}

  @Post(':connectionId')
  @PublicRoute()
  @HttpCode(200)
  @ApiHeader({ name: 'authorization', description: 'Bearer <the notification secret>' })
  @ApiResponse({ status: 200, description: 'Handshake, heartbeat or events applied.' })
  @ApiResponse({ status: 401, description: 'The secret is missing or wrong.' })
  notify(
    @Param(
      'connectionId',
      new ParseUUIDPipe({
        exceptionFactory: () =>
          new SealpostError(
            ErrorCode.Unauthenticated,
            'The notification secret is missing or wrong.',
          ),
      }),
    )
    connectionId: string,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ): Promise<NotificationReceipt> {
    const secret = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    return this.receive.execute(connectionId, secret, body);
  }
}
