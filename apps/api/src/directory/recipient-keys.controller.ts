import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { type DirectoryEntryView, PgpKeyDirectoryService } from '@sealpost/encryption';
import { parseMailbox } from '@sealpost/messaging';
import { DirectoryQuery, UploadPgpKeyDto } from './directory.dto';
import { invalidAddress, notFoundId } from './directory-errors';

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/keys/pgp')
export class RecipientKeysController {
  constructor(private readonly keys: PgpKeyDirectoryService) {}

  /** Refused with 422 and a reason: malformed, not_public, expired, revoked, ... */
  @Post()
  @RequireScope('keys:manage')
  upload(@Caller() caller: AuthContext, @Body() dto: UploadPgpKeyDto): Promise<DirectoryEntryView> {
    const mailbox = parseMailbox(dto.address);
    if (!mailbox) {
      throw invalidAddress();
    }
    return this.keys.upload(caller, mailbox.address, dto.armoredKey);
  }

  @Get()
  @RequireScope('keys:manage')
  async list(
    @Caller() caller: AuthContext,
    @Query() query: DirectoryQuery,
  ): Promise<{ data: DirectoryEntryView[] }> {
    return { data: await this.keys.list(caller, query.address) };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('keys:manage')
  remove(@Caller() caller: AuthContext, @Param('id', notFoundId('key')) id: string) {
    return this.keys.remove(caller, id);
  }
}
