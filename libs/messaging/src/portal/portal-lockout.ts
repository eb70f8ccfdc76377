import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@sealpost/encryption';
import { PortalError, PortalErrorCode } from './portal-error';
import { PortalEvents, PortalEventType } from './portal-events';
import { type PortalLink, PortalLinksRepository } from './portal-links.repository';

// The rule; with eight-digit codes, five guesses succeed once in 20 million.
export const MAX_WRONG_CODES = 5;

/** Counts wrong codes and passphrases alike, so switching between them gains no guesses. */
@Injectable()
export class PortalLockout {
  private readonly logger = new Logger(PortalLockout.name);

  constructor(
    private readonly links: PortalLinksRepository,
    private readonly events: PortalEvents,
    private readonly clock: Clock,
  ) {}

  /** Records one wrong answer and throws what the page should say: tries left, or locked. */
  async refuse(link: PortalLink, wrong: PortalErrorCode): Promise<never> {
    const counted = await this.links.recordWrongCode(link.id, MAX_WRONG_CODES, this.clock.now());
    if (!counted) {
      throw new PortalError(PortalErrorCode.LinkLocked);
    }
    await this.events.record(link, PortalEventType.CodeFailed, {
      failedAttempts: counted.failedAttempts,
    });
    if (counted.locked) {
      await this.events.record(link, PortalEventType.Locked);
      this.logger.warn({ linkId: link.id, messageId: link.messageId }, 'portal link locked');
      throw new PortalError(PortalErrorCode.LinkLocked);
    }
    throw new PortalError(wrong, {
      attemptsLeft: MAX_WRONG_CODES - counted.failedAttempts,
      hasPassphrase: link.passphraseHash !== null,
    });
  }
}
