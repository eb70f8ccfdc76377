import { Injectable, Logger } from '@nestjs/common';
import { PortalError, PortalErrorCode } from './portal-error';
import { PortalEvents, PortalEventType } from './portal-events';
import { PortalIpGuard } from './portal-ip-guard';
import { PortalLinkResolver } from './portal-link-resolver';
import { PortalLockout } from './portal-lockout';
import { passphraseMatches } from './portal-passphrase';
import { PortalSessions } from './portal-sessions.service';

/**
 * Opens a session with the passphrase the sender shared another way (by phone, in person),
 * for recipients whose mailbox alone should not be enough. Wrong ones count like wrong codes.
 */
@Injectable()
export class VerifyPortalPassphraseUseCase {
  private readonly logger = new Logger(VerifyPortalPassphraseUseCase.name);

  constructor(
    private readonly resolver: PortalLinkResolver,
    private readonly ipGuard: PortalIpGuard,
    private readonly lockout: PortalLockout,
    private readonly sessions: PortalSessions,
    private readonly events: PortalEvents,
  ) {}

  /** Returns the session cookie value. */
  async execute(presented: string, passphrase: string, ip: string): Promise<string> {
    await this.ipGuard.check(ip);
    const link = await this.resolver.resolve(presented);
    if (link.lockedAt) {
      throw new PortalError(PortalErrorCode.LinkLocked);
    }
    if (!link.passphraseHash) {
      throw new PortalError(PortalErrorCode.NotFound);
    }
    if (!(await passphraseMatches(passphrase, link.passphraseHash))) {
      return this.lockout.refuse(link, PortalErrorCode.PassphraseWrong);
    }

    const sessionToken = await this.sessions.start(link);
    await this.events.record(link, PortalEventType.Verified, { by: 'passphrase' });
    this.logger.log({ linkId: link.id, messageId: link.messageId }, 'portal passphrase verified');
    return sessionToken;
  }
}
