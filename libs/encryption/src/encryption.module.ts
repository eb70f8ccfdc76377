import { Module } from '@nestjs/common';
import { CertificateDirectoryService } from './directory/certificate-directory.service';
import { PgpKeyDirectoryService } from './directory/pgp-key-directory.service';
import { PolicyService } from './directory/policy.service';

/** Recipient key and certificate directories and the organisations' encryption policies. */
@Module({
  providers: [PgpKeyDirectoryService, CertificateDirectoryService, PolicyService],
  exports: [PgpKeyDirectoryService, CertificateDirectoryService, PolicyService],
})
export class EncryptionModule {}
