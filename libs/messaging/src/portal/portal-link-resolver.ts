import { Injectable } from '@nestjs/common';
import { Clock } from '@sealpost/encryption';
import { PortalError, PortalErrorCode } from './portal-error';
import { type PortalLink, PortalLinksRepository } from './portal-links.repository';
import { PortalTokens } from './portal-tokens';

/**
 * Turns the last segment of a link into its live row. A forged or altered link fails on its
 * signature before any database lookup; expired and revoked links are refused by name.
 */
@Injectable()
export class PortalLinkResolver {
  constructor(
    private readonly tokens: PortalTokens,
    private readonly links: PortalLinksRepository,
    private readonly clock: Clock,
  ) {}

  async resolve(presented: string): Promise<PortalLink> {
    const tokenHash = this.tokens.verifyLinkToken(presented);
    const link = tokenHash ? await this.links.findByTokenHash(tokenHash) : null;
    if (!link) {
      throw new PortalError(PortalErrorCode.LinkUnknown);
    }
    if (link.revokedAt) {
      throw new PortalError(PortalErrorCode.LinkRevoked);
    }
    if (link.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw new PortalError(PortalErrorCode.LinkExpired);
    }
    return link;
  }
}
