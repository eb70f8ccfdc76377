import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  AddinTokensService,
  type AddinTokenView,
  type AuthContext,
  Caller,
  type IssuedAddinToken,
  SignedInRoute,
} from '@sealpost/core';
import { IssueAddinTokenDto } from './addin.dto';

/**
 * Per-user add-in tokens, for a signed-in person only (a session, not an API key): the
 * Outlook add-in's sign-in dialog asks for one, and people or user managers revoke them.
 */
@ApiTags('add-ins')
@ApiBearerAuth()
@Controller('v1/addin/tokens')
export class AddinTokensController {
  constructor(private readonly tokens: AddinTokensService) {}

  /** Shown once; it can only preview recipients and check drafts for PHI. */
  @Post()
  @SignedInRoute()
  issue(@Caller() caller: AuthContext, @Body() dto: IssueAddinTokenDto): Promise<IssuedAddinToken> {
    return this.tokens.issue(caller, dto.client);
  }

  /** Your own tokens; every token of the organisation with `users:manage`. */
  @Get()
  @SignedInRoute()
  async list(@Caller() caller: AuthContext): Promise<{ data: AddinTokenView[] }> {
    return { data: await this.tokens.list(caller) };
  }

  @Delete(':id')
  @SignedInRoute()
  revoke(
    @Caller() caller: AuthContext,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<AddinTokenView> {
    return this.tokens.revoke(caller, id);
  }
}
