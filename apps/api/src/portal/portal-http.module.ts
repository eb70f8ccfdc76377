import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { PortalModule } from '@sealpost/messaging';
import { urlencoded } from 'express';
import { PortalAssetsController } from './portal-assets.controller';
import { PortalPassphraseController } from './portal-passphrase.controller';
import { PortalRevokeController } from './portal-revoke.controller';
import { PortalSecurityHeaders } from './portal-security-headers.middleware';
import { PortalController } from './portal.controller';

// A reply form's text (20,000 characters, up to 4 bytes each) and its field names.
const FORM_LIMIT = '100kb';

/** The portal pages, their stylesheet, and the API routes to revoke and set a passphrase. */
@Module({
  imports: [PortalModule],
  controllers: [
    PortalController,
    PortalAssetsController,
    PortalRevokeController,
    PortalPassphraseController,
  ],
})
export class PortalHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(PortalSecurityHeaders, urlencoded({ extended: false, limit: FORM_LIMIT }))
      .forRoutes(PortalController, PortalAssetsController);
  }
}
