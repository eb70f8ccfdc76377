import { Module } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { CertificateDirectoryService } from './directory/certificate-directory.service';
import { PgpKeyDirectoryService } from './directory/pgp-key-directory.service';
import { OrganisationKeysService } from './directory/organisation-keys.service';
import { OrganisationSmimeService } from './directory/organisation-smime.service';
import { PolicyService } from './directory/policy.service';
import { RecipientDirectoryService } from './directory/recipient-directory.service';
import { VerifiedPgpKeys } from './pgp/verified-pgp-keys';
import { Clock, SystemClock } from './tls-probe/clock.port';
import { NodeWkdHttps, WKD_HTTPS_OPTIONS, WkdHttpsPort } from './wkd/wkd-https.port';
import { WkdLookupService } from './wkd/wkd-lookup.service';

/**
 * Recipient key and certificate directories (with WKD lookups), the organisations' own keys
 * and their encryption policies.
 */
@Module({
  providers: [
    PgpKeyDirectoryService,
    CertificateDirectoryService,
    RecipientDirectoryService,
    PolicyService,
    OrganisationKeysService,
    OrganisationSmimeService,
    WkdLookupService,
    VerifiedPgpKeys,
    { provide: WkdHttpsPort, useClass: NodeWkdHttps },
    { provide: Clock, useClass: SystemClock },
    {
      provide: WKD_HTTPS_OPTIONS,
      inject: [SEALPOST_CONFIG],
      // The CAs trusted for SMTP are trusted here too, so a test or private PKI works alike.
      useFactory: (config: SealpostConfig) => ({
        extraCaPem: config.delivery.extraCaPem,
        timeoutMs: config.encryption.wkd.timeoutMs,
      }),
    },
  ],
  exports: [
    PgpKeyDirectoryService,
    CertificateDirectoryService,
    RecipientDirectoryService,
    PolicyService,
    OrganisationKeysService,
    OrganisationSmimeService,
    VerifiedPgpKeys,
  ],
})
export class EncryptionModule {}
