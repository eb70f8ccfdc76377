import { Module } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { ProtectionModule } from '@sealpost/messaging';
import { GmailAddonService } from './gmail-addon.service';
import { GoogleIdTokenVerifier } from './google-id-token.verifier';

/** The Gmail add-on's backend: request verification, user mapping, cards. */
@Module({
  imports: [ProtectionModule],
  providers: [
    GmailAddonService,
    {
      provide: GoogleIdTokenVerifier,
      inject: [SEALPOST_CONFIG],
      useFactory: (config: SealpostConfig) =>
        new GoogleIdTokenVerifier(config.googleWorkspace.certsUrl),
    },
  ],
  exports: [GmailAddonService],
})
export class GmailAddonModule {}
