import { Module } from '@nestjs/common';
import { CertificateDirectoryService } from './directory/certificate-directory.service';
import { PgpKeyDirectoryService } from './directory/pgp-key-directory.service';
import { OrganisationKeysService } from './directory/organisation-keys.service';
import { OrganisationSmimeService } from './directory/organisation-smime.service';
import { PolicyService } from './directory/policy.service';
import { RecipientDirectoryService } from './directory/recipient-directory.service';

/** Recipient key and certificate directories and the organisations' encryption policies. */
@Module({
  providers: [
    PgpKeyDirectoryService,
    CertificateDirectoryService,
    RecipientDirectoryService,
    PolicyService,
    OrganisationKeysService,
    OrganisationSmimeService,
  ],
  exports: [
    PgpKeyDirectoryService,
    CertificateDirectoryService,
    RecipientDirectoryService,
    PolicyService,
    OrganisationKeysService,
    OrganisationSmimeService,
  ],
})
export class EncryptionModule {}
