import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { OrganisationSettingsService, type OrganisationSettingsView } from '@sealpost/messaging';
import { OrganisationSettingsDto } from './organisation-settings.dto';

/** Settings of the caller's organisation; tracking is on until switched off here. */
@ApiTags('organisation')
@ApiBearerAuth()
@Controller('v1/organisation/settings')
export class OrganisationSettingsController {
  constructor(private readonly settings: OrganisationSettingsService) {}

  @Get()
  @RequireScope('settings:manage')
  get(@Caller() caller: AuthContext): Promise<OrganisationSettingsView> {
    return this.settings.get(caller);
  }

  @Put()
  @RequireScope('settings:manage')
  update(
    @Caller() caller: AuthContext,
    @Body() dto: OrganisationSettingsDto,
  ): Promise<OrganisationSettingsView> {
    return this.settings.update(caller, dto);
  }
}
