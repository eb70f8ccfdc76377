import { Module } from '@nestjs/common';
import { SmtpConnectionPool } from '../delivery/smtp-connection-pool';
import { MessagingModule } from '../messaging.module';
import { ProtectionModule } from '../protection.module';
import { PortalEvents } from './portal-events';
import { PortalIpGuard } from './portal-ip-guard';
import { PortalIssuingModule } from './portal-issuing.module';
import { PortalLinkResolver } from './portal-link-resolver';
import { PortalLockout } from './portal-lockout';
import { PortalMailer } from './portal-mailer';
import { PortalRateLimiter } from './portal-rate-limiter';
import { PortalSessionsRepository } from './portal-sessions.repository';
import { PortalSessions } from './portal-sessions.service';
import { ReadPortalMessageUseCase } from './read-portal-message.use-case';
import { ReplyFromPortalUseCase } from './reply-from-portal.use-case';
import { RequestPortalCodeUseCase } from './request-portal-code.use-case';
import { RevokePortalLinkUseCase } from './revoke-portal-link.use-case';
import { SetPortalPassphraseUseCase } from './set-portal-passphrase.use-case';
import { VerifyPortalCodeUseCase } from './verify-portal-code.use-case';
import { VerifyPortalPassphraseUseCase } from './verify-portal-passphrase.use-case';

const USE_CASES = [
  RequestPortalCodeUseCase,
  VerifyPortalCodeUseCase,
  ReadPortalMessageUseCase,
  ReplyFromPortalUseCase,
  RevokePortalLinkUseCase,
  SetPortalPassphraseUseCase,
  VerifyPortalPassphraseUseCase,
  PortalSessions,
];

/** The recipient's side of the portal and its revocation: what the api needs. */
@Module({
  imports: [MessagingModule, ProtectionModule, PortalIssuingModule],
  providers: [
    ...USE_CASES,
    PortalEvents,
    PortalIpGuard,
    PortalLinkResolver,
    PortalLockout,
    PortalMailer,
    PortalRateLimiter,
    PortalSessionsRepository,
    // Its own pool: the code must leave at once, not wait behind the worker's queue.
    SmtpConnectionPool,
  ],
  exports: USE_CASES,
})
export class PortalModule {}
