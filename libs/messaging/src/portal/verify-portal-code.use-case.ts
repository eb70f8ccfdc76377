import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@sealpost/encryption';
import { PortalError, PortalErrorCode } from './portal-error';
import { PortalEvents, PortalEventType } from './portal-events';
import { PortalIpGuard } from './portal-ip-guard';
import { PortalLinkResolver } from './portal-link-resolver';
import { PortalLinksRepository } from './portal-links.repository';
import { PortalLockout } from './portal-lockout';
import { PortalSessions } from './portal-sessions.service';
import { PortalTokens } from './portal-tokens';

/** Checks a one-time code; the right one opens a session, five wrong ones lock the link. */
@Injectable()
export class VerifyPortalCodeUseCase {
  private readonly logger = new Logger(VerifyPortalCodeUseCase.name);

  constructor(
    private readonly resolver: PortalLinkResolver,
    private readonly links: PortalLinksRepository,
    private readonly tokens: PortalTokens,
    private readonly ipGuard: PortalIpGuard,
    private readonly lockout: PortalLockout,
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
    const expired = new PortalError(PortalErrorCode.CodeExpired, {
      hasPassphrase: link.passphraseHash !== null,
    });
    if (!link.codeHash || !link.codeExpiresAt || link.codeExpiresAt <= this.clock.now()) {
      throw expired;
    }

    const entered = code.replace(/[\s-]/g, '');
    if (!this.tokens.codeMatches(link.id, entered, link.codeHash)) {
      return this.lockout.refuse(link, PortalErrorCode.CodeWrong);
    }
    if (!(await this.links.consumeCode(link.id, link.codeHash))) {
      throw expired;
    }

    const sessionToken = await this.sessions.start(link);
    await this.events.record(link, PortalEventType.Verified, { by: 'code' });
    this.logger.log({ linkId: link.id, messageId: link.messageId }, 'portal code verified');
    return sessionToken;
  }
}
