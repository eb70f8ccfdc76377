import { Module } from '@nestjs/common';
import { CertificateDirectoryService } from './directory/certificate-directory.service';
import { PgpKeyDirectoryService } from './directory/pgp-key-directory.service';

/** Recipient key and certificate directories. */
@Module({
  providers: [PgpKeyDirectoryService, CertificateDirectoryService],
  exports: [PgpKeyDirectoryService, CertificateDirectoryService],
})
export class EncryptionModule {}
