import { Body, Controller, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '@sealpost/core';
import { NotificationIntake } from '@sealpost/microsoft365';
import type { Response } from 'express';

// Graph's validation tokens are a sentence with a request id; far longer is not from Graph.
const MAX_VALIDATION_TOKEN = 1024;

/**
 * Where Microsoft Graph posts Sent Items change notifications and lifecycle events. Public:
 * the subscription's clientState (checked in constant time) is the credential. Answers the
 * validation handshake by echoing the token as text/plain, and 202 once work is queued.
 */
@ApiExcludeController()
@Controller('connectors/microsoft365')
export class GraphNotificationsController {
  constructor(private readonly intake: NotificationIntake) {}

  @Post('notifications')
  @PublicRoute()
  @HttpCode(202)
  async notifications(
    @Query('validationToken') validationToken: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string | undefined> {
    if (validationToken !== undefined) {
      return this.echo(validationToken, response);
    }
    await this.intake.changes(body);
    return undefined;
  }

  @Post('lifecycle')
  @PublicRoute()
  @HttpCode(202)
  async lifecycle(
    @Query('validationToken') validationToken: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string | undefined> {
    if (validationToken !== undefined) {
      return this.echo(validationToken, response);
    }
    await this.intake.lifecycle(body);
    return undefined;
  }

  private echo(token: string, response: Response): string {
    response.status(token.length > MAX_VALIDATION_TOKEN ? 400 : 200);
    response.type('text/plain');
    return token.length > MAX_VALIDATION_TOKEN ? 'validationToken too long' : token;
  }
}
