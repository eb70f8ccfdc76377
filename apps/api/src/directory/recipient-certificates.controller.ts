import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { CertificateDirectoryService, type DirectoryEntryView } from '@sealpost/encryption';
import { parseMailbox } from '@sealpost/messaging';
import { DirectoryQuery, UploadCertificateDto } from './directory.dto';
import { invalidAddress, notFoundId } from './directory-errors';

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/certificates/smime')
export class RecipientCertificatesController {
  constructor(private readonly certificates: CertificateDirectoryService) {}

  /** Refused with 422 and a reason: malformed, expired, address_mismatch, ... */
  @Post()
  @RequireScope('keys:manage')
  upload(
    @Caller() caller: AuthContext,
    @Body() dto: UploadCertificateDto,
  ): Promise<DirectoryEntryView> {
    const mailbox = parseMailbox(dto.address);
    if (!mailbox) {
      throw invalidAddress();
    }
    return this.certificates.upload(caller, mailbox.address, dto.certificate);
  }

  @Get()
  @RequireScope('keys:manage')
  async list(
    @Caller() caller: AuthContext,
    @Query() query: DirectoryQuery,
  ): Promise<{ data: DirectoryEntryView[] }> {
    return { data: await this.certificates.list(caller, query.address) };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('keys:manage')
  remove(@Caller() caller: AuthContext, @Param('id', notFoundId('certificate')) id: string) {
    return this.certificates.remove(caller, id);
  }
}
