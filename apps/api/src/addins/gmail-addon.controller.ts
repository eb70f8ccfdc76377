import { Body, Controller, Get, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute, SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { GmailAddonService, gmailDeploymentDescriptor } from '@sealpost/gmail-addon';

/**
 * Google's card requests for the Gmail add-on (HTTP runtime). Public to the caller guard, since
 * Google holds no Sealpost credential: GmailAddonService refuses, with 401, every request
 * without an ID token Google signed for this add-on and endpoint.
 */
@ApiExcludeController()
@Controller('addins/gmail')
export class GmailAddonController {
  constructor(
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
    private readonly gmail: GmailAddonService,
  ) {}

  /** The deployment descriptor for `gcloud workspace-add-ons deployments create`. */
  @Get('deployment.json')
  @PublicRoute()
  deployment(): Record<string, unknown> {
    return gmailDeploymentDescriptor(this.config.portal.publicUrl);
  }

  @Post('homepage')
  @HttpCode(200)
  @PublicRoute()
  homepage(@Headers('authorization') authorization = '', @Body() event: unknown): Promise<unknown> {
    return this.gmail.handle('homepage', authorization, event);
  }

  @Post('compose')
  @HttpCode(200)
  @PublicRoute()
  compose(@Headers('authorization') authorization = '', @Body() event: unknown): Promise<unknown> {
    return this.gmail.handle('compose', authorization, event);
  }

  @Post('send-securely')
  @HttpCode(200)
  @PublicRoute()
  sendSecurely(
    @Headers('authorization') authorization = '',
    @Body() event: unknown,
  ): Promise<unknown> {
    return this.gmail.handle('sendSecurely', authorization, event);
  }
}
