import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type AuthContext,
  callerRef,
  ErrorCode,
  SEALPOST_CONFIG,
  SealpostError,
  type SealpostConfig,
} from '@sealpost/core';
import { Clock } from '@sealpost/encryption';
import { PortalEvents, PortalEventType } from './portal-events';
import { PortalLinksRepository } from './portal-links.repository';
import { hashPassphrase, PASSPHRASE_MAX, PASSPHRASE_MIN } from './portal-passphrase';
import { PortalTokens } from './portal-tokens';

const DAY_MS = 24 * 3600 * 1000;

/** A sender sets the passphrase a portal recipient may use instead of an emailed code. */
@Injectable()
export class SetPortalPassphraseUseCase {
  private readonly logger = new Logger(SetPortalPassphraseUseCase.name);

  constructor(
    private readonly links: PortalLinksRepository,
    private readonly tokens: PortalTokens,
    private readonly events: PortalEvents,
    private readonly clock: Clock,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  async execute(
    caller: AuthContext,
    messageId: string,
    recipientId: string,
    passphrase: string,
  ): Promise<void> {
    if (passphrase.length < PASSPHRASE_MIN || passphrase.length > PASSPHRASE_MAX) {
      throw new SealpostError(ErrorCode.ValidationFailed, 'The request is not valid.', [
        {
          path: 'passphrase',
          message: `must be ${PASSPHRASE_MIN} to ${PASSPHRASE_MAX} characters`,
        },
      ]);
    }
    const { organisationId } = caller;
    const stored = await this.links.setPassphrase({
      organisationId,
      messageId,
      recipientId,
      passphraseHash: await hashPassphrase(passphrase),
      // Replaced when the notice is sent; until then no link exists that anyone could hold.
      placeholderTokenHash: this.tokens.newLinkToken().tokenHash,
      expiresAt: new Date(this.clock.now().getTime() + this.config.portal.linkDays * DAY_MS),
    });
    if (!stored) {
      throw new SealpostError(ErrorCode.NotFound, 'No such recipient.');
    }

    await this.events.record(
      { organisationId, messageId, recipientId },
      PortalEventType.PassphraseSet,
      { ...callerRef(caller) },
    );
    this.logger.log({ messageId, recipientId, ...callerRef(caller) }, 'portal passphrase set');
  }
}
