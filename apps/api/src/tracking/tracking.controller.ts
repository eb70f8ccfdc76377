import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ErrorCode, PublicRoute, SealpostError } from '@sealpost/core';
import { RecordEngagementUseCase } from '@sealpost/messaging';
import type { Response } from 'express';

// The smallest transparent GIF: 1x1, one colour, fully transparent.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const notFound = () => new SealpostError(ErrorCode.NotFound, 'No such tracking link.');

/**
 * The open pixel and click redirects in tracked mail. Public: the signed token is the
 * credential. A token that does not verify, or names no recipient, answers 404 and
 * redirects nowhere.
 */
@ApiExcludeController()
@Controller('t')
export class TrackingController {
  constructor(private readonly engagement: RecordEngagementUseCase) {}

  @Get('o/:token')
  @PublicRoute()
  async open(@Param('token') token: string, @Res() response: Response): Promise<void> {
    if (!(await this.engagement.open(token))) {
      throw notFound();
    }
    // no-store: a cached pixel would hide every later open.
    response
      .status(200)
      .set({ 'Content-Type': 'image/gif', 'Cache-Control': 'no-store, max-age=0' })
      .end(PIXEL);
  }

  @Get('c/:token')
  @PublicRoute()
  async click(@Param('token') token: string, @Res() response: Response): Promise<void> {
    const url = await this.engagement.click(token);
    if (url === null) {
      throw notFound();
    }
    // no-referrer: the destination must not learn the token, which carries ids.
    response.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    response.redirect(302, url);
  }
}
