import { Module } from '@nestjs/common';
import { CertificateDirectoryService } from './directory/certificate-directory.service';
import { PgpKeyDirectoryService } from './directory/pgp-key-directory.service';
import { PolicyService } from './directory/policy.service';
import { RecipientDirectoryService } from './directory/recipient-directory.service';

/** Recipient key and certificate directories and the organisations' encryption policies. */
@Module({
  providers: [
    PgpKeyDirectoryService,
    CertificateDirectoryService,
    RecipientDirectoryService,
    PolicyService,
  ],
  exports: [
    PgpKeyDirectoryService,
    CertificateDirectoryService,
    RecipientDirectoryService,
    PolicyService,
  ],
})
export class EncryptionModule {}
