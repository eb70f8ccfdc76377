import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@sealpost/encryption';
import { PortalError, PortalErrorCode } from './portal-error';
import { PortalEvents, PortalEventType } from './portal-events';
import { PortalIpGuard } from './portal-ip-guard';
import { PortalLinkResolver } from './portal-link-resolver';
import { PortalLinksRepository } from './portal-links.repository';
import { PortalSessions } from './portal-sessions.service';
import { PortalTokens } from './portal-tokens';

// The rule; with eight-digit codes, five guesses succeed once in 20 million.
export const MAX_WRONG_CODES = 5;

/** Checks a one-time code; the right one opens a session, five wrong ones lock the link. */
@Injectable()
export class VerifyPortalCodeUseCase {
  private readonly logger = new Logger(VerifyPortalCodeUseCase.name);

  constructor(
    private readonly resolver: PortalLinkResolver,
    private readonly links: PortalLinksRepository,
    private readonly tokens: PortalTokens,
    private readonly ipGuard: PortalIpGuard,
    private readonly sessions: PortalSessions,
    private readonly events: PortalEvents,
    private readonly clock: Clock,
  ) {}

  /** Returns the session cookie value. */
  async execute(presented: string, code: string, ip: string): Promise<string> {
    await this.ipGuard.check(ip);
    const link = await this.resolver.resolve(presented);
    if (link.lockedAt) {
      throw new PortalError(PortalErrorCode.LinkLocked);
    }
    const now = this.clock.now();
    if (!link.codeHash || !link.codeExpiresAt || link.codeExpiresAt <= now) {
      throw new PortalError(PortalErrorCode.CodeExpired);
    }

    const entered = code.replace(/[\s-]/g, '');
    if (!this.tokens.codeMatches(link.id, entered, link.codeHash)) {
      return this.refuse(link.id, link, now);
    }
    if (!(await this.links.consumeCode(link.id, link.codeHash))) {
      throw new PortalError(PortalErrorCode.CodeExpired);
    }

    const sessionToken = await this.sessions.start(link);
    await this.events.record(link, PortalEventType.Verified);
    this.logger.log({ linkId: link.id, messageId: link.messageId }, 'portal code verified');
    return sessionToken;
  }

  private async refuse(
    linkId: string,
    link: Parameters<PortalEvents['record']>[0],
    now: Date,
  ): Promise<never> {
    const counted = await this.links.recordWrongCode(linkId, MAX_WRONG_CODES, now);
    if (!counted) {
      throw new PortalError(PortalErrorCode.LinkLocked);
    }
    await this.events.record(link, PortalEventType.CodeFailed, {
      failedAttempts: counted.failedAttempts,
    });
    if (counted.locked) {
      await this.events.record(link, PortalEventType.Locked);
      this.logger.warn({ linkId, messageId: link.messageId }, 'portal link locked');
      throw new PortalError(PortalErrorCode.LinkLocked);
    }
    throw new PortalError(PortalErrorCode.CodeWrong, MAX_WRONG_CODES - counted.failedAttempts);
  }
}
