import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '@sealpost/core';
import type { Response } from 'express';
import { PORTAL_STYLESHEET } from './portal-stylesheet';

/** The portal's only asset, served from our own origin. */
@ApiExcludeController()
@Controller('portal-assets')
export class PortalAssetsController {
  @Get('portal.css')
  @PublicRoute()
  stylesheet(@Res() response: Response): void {
    // Not PHI, and the same for everyone: it may be cached, unlike the pages.
    response.setHeader('Cache-Control', 'public, max-age=3600');
    response.type('text/css').send(PORTAL_STYLESHEET);
  }
}
