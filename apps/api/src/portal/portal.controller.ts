import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute, SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import {
  type OpenSession,
  PortalError,
  PortalErrorCode,
  PortalSessions,
  ReadPortalMessageUseCase,
  ReplyFromPortalUseCase,
  RequestPortalCodeUseCase,
  VerifyPortalCodeUseCase,
  VerifyPortalPassphraseUseCase,
} from '@sealpost/messaging';
import { parse as parseCookies } from 'cookie';
import type { Request, Response } from 'express';
import { messagePage, portalPath, verifyPage } from './portal-pages';
import { PortalPageFilter } from './portal-page.filter';

const SESSION_COOKIE = 'sealpost_portal';

type FormBody = Record<string, unknown> | undefined;

/**
 * The recipient's pages: plain HTML forms that work without JavaScript. Public routes: the
 * signed link and the session are the credentials, checked by the use cases on every request.
 */
@ApiExcludeController()
@Controller('portal')
@UseFilters(PortalPageFilter)
export class PortalController {
  constructor(
    private readonly sessions: PortalSessions,
    private readonly requestCode: RequestPortalCodeUseCase,
    private readonly verifyCode: VerifyPortalCodeUseCase,
    private readonly passphrases: VerifyPortalPassphraseUseCase,
    private readonly reader: ReadPortalMessageUseCase,
    private readonly replies: ReplyFromPortalUseCase,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  @Get(':link')
  @PublicRoute()
  async open(
    @Param('link') link: string,
    @Query() query: Record<string, string>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const session = await this.sessions.open(link, this.cookieOf(request)).catch(() => null);
    if (session) {
      response.redirect(303, portalPath(link, '/message'));
      return;
    }
    // Without a session, an expired, revoked, unknown or locked link gets its own page.
    const resolved = await this.sessions.resolveLink(link);
    if (resolved.lockedAt) {
      throw new PortalError(PortalErrorCode.LinkLocked);
    }
    const notice = query.sent
      ? { kind: 'status' as const, text: 'We emailed you a code. It may take a minute to arrive.' }
      : query.ended
        ? { kind: 'status' as const, text: 'Your session ended. Enter a new code to continue.' }
        : undefined;
    response.type('html').send(verifyPage(link, notice, resolved.passphraseHash !== null));
  }

  @Post(':link/code')
  @PublicRoute()
  async sendCode(
    @Param('link') link: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.requestCode.execute(link, clientIp(request));
    response.redirect(303, `${portalPath(link)}?sent=1`);
  }

  @Post(':link/verify')
  @PublicRoute()
  async verify(
    @Param('link') link: string,
    @Body() body: FormBody,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const code = typeof body?.code === 'string' ? body.code : '';
    const token = await this.verifyCode.execute(link, code, clientIp(request));
    this.startSession(link, token, response);
  }

  @Post(':link/passphrase')
  @PublicRoute()
  async verifyPassphrase(
    @Param('link') link: string,
    @Body() body: FormBody,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const passphrase = typeof body?.passphrase === 'string' ? body.passphrase : '';
    const token = await this.passphrases.execute(link, passphrase, clientIp(request));
    this.startSession(link, token, response);
  }

  @Get(':link/message')
  @PublicRoute()
  async message(
    @Param('link') link: string,
    @Query('replied') replied: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const session = await this.sessions.open(link, this.cookieOf(request));
    const message = await this.reader.view(session.link);
    const notice = replied
      ? { kind: 'status' as const, text: 'Your reply was sent securely.' }
      : undefined;
    response.type('html').send(messagePage(link, message, session.csrfToken, notice));
  }

  @Get(':link/attachments/:index')
  @PublicRoute()
  async attachment(
    @Param('link') link: string,
    @Param('index') index: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const session = await this.sessions.open(link, this.cookieOf(request));
    const position = /^\d{1,4}$/.test(index) ? Number(index) : -1;
    const file = await this.reader.download(session.link, position);
    response.attachment(file.filename);
    // Never the declared type: an HTML attachment rendered on our origin could run script.
    response.type('application/octet-stream').send(file.content);
  }

  @Post(':link/reply')
  @PublicRoute()
  async reply(
    @Param('link') link: string,
    @Body() body: FormBody,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const session = await this.checkedForm(link, request, body);
    await this.replies.execute(session.link, typeof body?.text === 'string' ? body.text : '');
    response.redirect(303, `${portalPath(link, '/message')}?replied=1`);
  }

  @Post(':link/sign-out')
  @PublicRoute()
  async signOut(
    @Param('link') link: string,
    @Body() body: FormBody,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const session = await this.checkedForm(link, request, body);
    await this.sessions.end(session);
    response.clearCookie(SESSION_COOKIE, { path: portalPath(link) });
    response.redirect(303, `${portalPath(link)}?ended=1`);
  }

  private startSession(link: string, token: string, response: Response): void {
    response.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      secure: this.config.portal.publicUrl.startsWith('https:'),
      sameSite: 'strict',
      // One cookie per link, so two messages open in one browser keep their own sessions.
      path: portalPath(link),
    });
    response.redirect(303, portalPath(link, '/message'));
  }

  private async checkedForm(link: string, request: Request, body: FormBody): Promise<OpenSession> {
    const session = await this.sessions.open(link, this.cookieOf(request));
    this.sessions.checkForm(session, body?._csrf);
    return session;
  }

  private cookieOf(request: Request): string | undefined {
    return parseCookies(request.headers.cookie ?? '')[SESSION_COOKIE];
  }
}

function clientIp(request: Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}
