import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { type OrganisationKeyView, OrganisationKeysService } from '@sealpost/encryption';
import { ArchiveKeyDto, GenerateSigningKeyDto } from './organisation-keys.dto';

/** The organisation's own PGP keys. Private halves never leave Sealpost. */
@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/organisation/pgp')
export class OrganisationKeysController {
  constructor(private readonly keys: OrganisationKeysService) {}

  @Get()
  @RequireScope('keys:manage')
  async list(@Caller() caller: AuthContext): Promise<{ data: OrganisationKeyView[] }> {
    return { data: await this.keys.list(caller) };
  }

  /** Generates (or replaces) the key that signs outgoing PGP mail; returns its public half. */
  @Put('signing-key')
  @RequireScope('keys:manage')
  generateSigningKey(
    @Caller() caller: AuthContext,
    @Body() dto: GenerateSigningKeyDto,
  ): Promise<OrganisationKeyView> {
    return this.keys.generateSigningKey(caller, { name: dto.name, email: dto.email }, dto.kind);
  }

  /** Every PGP message is also encrypted to this key, so the archive can read it. */
  @Put('archive-key')
  @RequireScope('keys:manage')
  setArchiveKey(
    @Caller() caller: AuthContext,
    @Body() dto: ArchiveKeyDto,
  ): Promise<OrganisationKeyView> {
    return this.keys.setArchiveKey(caller, dto.armoredKey);
  }

  @Delete('signing-key')
  @HttpCode(204)
  @RequireScope('keys:manage')
  removeSigningKey(@Caller() caller: AuthContext): Promise<void> {
    return this.keys.remove(caller, 'pgp-signing');
  }

  @Delete('archive-key')
  @HttpCode(204)
  @RequireScope('keys:manage')
  removeArchiveKey(@Caller() caller: AuthContext): Promise<void> {
    return this.keys.remove(caller, 'pgp-archive');
  }
}
