import { Module } from '@nestjs/common';
import { Clock, SystemClock } from '@sealpost/encryption';
import { PortalLinkIssuer } from './portal-link-issuer';
import { PortalLinksRepository } from './portal-links.repository';
import { PortalTokens } from './portal-tokens';

/** Issuing portal links and their notices: what delivery needs of the portal. */
@Module({
  providers: [
    PortalTokens,
    PortalLinksRepository,
    PortalLinkIssuer,
    { provide: Clock, useClass: SystemClock },
  ],
  exports: [PortalTokens, PortalLinksRepository, PortalLinkIssuer, Clock],
})
export class PortalIssuingModule {}
