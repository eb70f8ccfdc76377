import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import {
  type SuppressionPage,
  SuppressionListService,
  type SuppressionView,
} from '@sealpost/messaging';
import { CursorPageQuery } from '../http/cursor-page.query';
import { AddSuppressionDto } from './suppressions.dto';

/**
 * The organisation's suppression list: addresses that hard-bounced or that an admin added.
 * Sends to them fail with reason `suppressed` instead of being delivered. Reading it is for
 * those who read messages (the addresses are in the messages already); changing it is an
 * admin's setting.
 */
@ApiTags('suppressions')
@ApiBearerAuth()
@Controller('v1/suppressions')
export class SuppressionsController {
  constructor(private readonly suppressions: SuppressionListService) {}

  @Get()
  @RequireScope('messages:read')
  list(@Caller() caller: AuthContext, @Query() query: CursorPageQuery): Promise<SuppressionPage> {
    return this.suppressions.list(caller, query);
  }

  /** 409 already_exists when the address is on the list. */
  @Post()
  @RequireScope('settings:manage')
  add(@Caller() caller: AuthContext, @Body() dto: AddSuppressionDto): Promise<SuppressionView> {
    return this.suppressions.add(caller, dto.address);
  }

  /** Later sends reach the address again. 404 when it is not on the list. */
  @Delete(':address')
  @HttpCode(204)
  @RequireScope('settings:manage')
  remove(@Caller() caller: AuthContext, @Param('address') address: string): Promise<void> {
    return this.suppressions.remove(caller, address);
  }
}
