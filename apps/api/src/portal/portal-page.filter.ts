import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { safeErrorFields } from '@sealpost/core';
import { PortalError, PortalErrorCode } from '@sealpost/messaging';
import type { Request, Response } from 'express';
import { html } from './portal-html';
import { lockedPage, portalPath, problemPage, verifyPage } from './portal-pages';

const ASK_SENDER = 'If you still need it, ask the sender to send the message again.';

/**
 * Portal requests come from a browser, so refusals are pages, not JSON. Each says what
 * happened and what to do next, with a status a client can rely on.
 */
@Catch()
export class PortalPageFilter implements ExceptionFilter {
  private readonly logger = new Logger('PortalPageFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) {
      return;
    }
    const link = typeof request.params.link === 'string' ? request.params.link : '';
    if (!(exception instanceof PortalError)) {
      const errorId = randomUUID();
      this.logger.error({ errorId, err: safeErrorFields(exception) }, 'portal request failed');
      const text =
        'Something went wrong on our side. Try again later; ' +
        `quote ${errorId} if you report it.`;
      response.status(500).type('html').send(problemPage('Something went wrong', text));
      return;
    }
    if (exception.code === PortalErrorCode.SessionRequired) {
      response.redirect(303, `${portalPath(link)}?ended=1`);
      return;
    }
    if (exception.details.retryAfterSeconds) {
      response.setHeader('Retry-After', String(exception.details.retryAfterSeconds));
    }
    const [status, page] = this.pageOf(exception, link);
    response.status(status).type('html').send(page);
  }

  private pageOf(error: PortalError, link: string): [number, string] {
    const askAgain = (text: string) =>
      verifyPage(link, { kind: 'alert', text }, error.details.hasPassphrase ?? false);
    switch (error.code) {
      case PortalErrorCode.LinkUnknown:
        return [404, problemPage('Link not valid', `This link does not work. ${ASK_SENDER}`)];
      case PortalErrorCode.LinkExpired:
        return [410, problemPage('Link expired', `This link has expired. ${ASK_SENDER}`)];
      case PortalErrorCode.LinkRevoked:
        return [410, problemPage('Link withdrawn', `The sender withdrew this link. ${ASK_SENDER}`)];
      case PortalErrorCode.LinkLocked:
        return [423, lockedPage(link)];
      case PortalErrorCode.CodeWrong:
        return [
          422,
          askAgain(`That code is not right. ${triesLeft(error)} before the link locks.`),
        ];
      case PortalErrorCode.PassphraseWrong:
        return [
          422,
          askAgain(`That passphrase is not right. ${triesLeft(error)} before the link locks.`),
        ];
      case PortalErrorCode.CodeExpired:
        return [422, askAgain('That code has expired or was used. Ask for a new code.')];
      case PortalErrorCode.TooManyCodes:
        return [
          429,
          problemPage(
            'Too many codes',
            `Too many codes were sent for this link. ${tryLater(error)}`,
          ),
        ];
      case PortalErrorCode.CodeNotSent:
        return [
          503,
          problemPage(
            'Code not sent',
            'We could not send your code just now. Please try again in a few minutes.',
            html`<p><a href="${portalPath(link)}">Back</a></p>`,
          ),
        ];
      case PortalErrorCode.TooManyAttempts:
        return [
          429,
          problemPage(
            'Too many attempts',
            `Too many attempts from your network. ${tryLater(error)}`,
          ),
        ];
      case PortalErrorCode.FormExpired:
        return [
          403,
          problemPage(
            'Form expired',
            'This form is no longer valid. Open the message again and resend.',
            html`<p><a href="${portalPath(link, '/message')}">Back to the message</a></p>`,
          ),
        ];
      case PortalErrorCode.ReplyInvalid:
        return [
          422,
          problemPage(
            'Reply not sent',
            'A reply needs some text, at most 20,000 characters.',
            html`<p><a href="${portalPath(link, '/message')}">Back to the message</a></p>`,
          ),
        ];
      case PortalErrorCode.NotFound:
      case PortalErrorCode.SessionRequired:
        return [404, problemPage('Not found', 'There is nothing at this address.')];
    }
  }
}

function triesLeft(error: PortalError): string {
  const left = error.details.attemptsLeft ?? 0;
  return `${left} ${left === 1 ? 'try' : 'tries'} left`;
}

function tryLater(error: PortalError): string {
  const minutes = Math.max(1, Math.ceil((error.details.retryAfterSeconds ?? 60) / 60));
  return `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}
