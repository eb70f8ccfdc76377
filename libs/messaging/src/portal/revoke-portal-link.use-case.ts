import { Injectable, Logger } from '@nestjs/common';
import { type AuthContext, callerRef, ErrorCode, SealpostError } from '@sealpost/core';
import { Clock } from '@sealpost/encryption';
import { PortalEvents, PortalEventType } from './portal-events';
import { PortalLinksRepository } from './portal-links.repository';

/** A sender or admin withdraws one recipient's portal link; its sessions end at once. */
@Injectable()
export class RevokePortalLinkUseCase {
  private readonly logger = new Logger(RevokePortalLinkUseCase.name);

  constructor(
    private readonly links: PortalLinksRepository,
    private readonly events: PortalEvents,
    private readonly clock: Clock,
  ) {}

  async execute(
    caller: AuthContext,
    messageId: string,
    recipientId: string,
  ): Promise<{ recipientId: string; revokedAt: string }> {
    const { organisationId } = caller;
    const revokedAt = await this.links.revoke(
      organisationId,
      messageId,
      recipientId,
      this.clock.now(),
    );
    if (!revokedAt) {
      throw new SealpostError(ErrorCode.NotFound, 'No portal link for this recipient.');
    }

    await this.events.record({ organisationId, messageId, recipientId }, PortalEventType.Revoked, {
      ...callerRef(caller),
    });
    this.logger.log({ messageId, recipientId, ...callerRef(caller) }, 'portal link revoked');
    return { recipientId, revokedAt: revokedAt.toISOString() };
  }
}
