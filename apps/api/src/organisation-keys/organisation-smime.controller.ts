import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { type OrganisationSmimeView, OrganisationSmimeService } from '@sealpost/encryption';
import { SmimeSigningCertificateDto } from './organisation-smime.dto';

/** The organisation's S/MIME signing identity. The private key is never shown again. */
@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/organisation/smime')
export class OrganisationSmimeController {
  constructor(private readonly smime: OrganisationSmimeService) {}

  @Get()
  @RequireScope('keys:manage')
  async list(@Caller() caller: AuthContext): Promise<{ data: OrganisationSmimeView[] }> {
    return { data: await this.smime.list(caller) };
  }

  /**
   * Sets (or replaces) the certificate that signs outgoing S/MIME mail. Refused with 422 and
   * a reason: malformed, malformed_key, key_mismatch, expired, no_digital_signature, ...
   */
  @Put('signing-certificate')
  @RequireScope('keys:manage')
  setSigningCertificate(
    @Caller() caller: AuthContext,
    @Body() dto: SmimeSigningCertificateDto,
  ): Promise<OrganisationSmimeView> {
    return this.smime.setSigningCertificate(caller, {
      certificatePem: dto.certificate,
      chainPems: dto.chain,
      privateKeyPem: dto.privateKey,
    });
  }

  @Delete('signing-certificate')
  @HttpCode(204)
  @RequireScope('keys:manage')
  removeSigningCertificate(@Caller() caller: AuthContext): Promise<void> {
    return this.smime.remove(caller);
  }
}
