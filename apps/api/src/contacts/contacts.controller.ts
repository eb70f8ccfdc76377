import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import {
  type BulkUpsertResult,
  type ContactPage,
  type ContactRecord,
  ContactsBulkService,
  ContactsService,
} from '@sealpost/workflow';
import { BulkContactsDto, ContactDto, ListContactsQuery } from './contacts.dto';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('v1/contacts')
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly bulk: ContactsBulkService,
  ) {}

  /** 409 already_exists when the organisation has a contact with that email. */
  @Post()
  @RequireScope('contacts:write')
  create(@Caller() caller: AuthContext, @Body() dto: ContactDto): Promise<ContactRecord> {
    return this.contacts.create(caller.organisationId, { ...dto });
  }

  /** Creates or updates up to 1000 contacts by email; one result per row, in order. */
  @Post('bulk')
  @HttpCode(200)
  @RequireScope('contacts:write')
  upsertMany(
    @Caller() caller: AuthContext,
    @Body() dto: BulkContactsDto,
  ): Promise<BulkUpsertResult> {
    return this.bulk.upsert(caller.organisationId, dto.contacts);
  }

  @Get()
  @RequireScope('contacts:read')
  list(@Caller() caller: AuthContext, @Query() query: ListContactsQuery): Promise<ContactPage> {
    return this.contacts.list(caller.organisationId, { ...query });
  }

  @Get(':id')
  @RequireScope('contacts:read')
  get(@Caller() caller: AuthContext, @Param('id') id: string): Promise<ContactRecord> {
    return this.contacts.get(caller.organisationId, id);
  }

  @Patch(':id')
  @RequireScope('contacts:write')
  update(
    @Caller() caller: AuthContext,
    @Param('id') id: string,
    @Body() dto: ContactDto,
  ): Promise<ContactRecord> {
    return this.contacts.update(caller.organisationId, id, { ...dto });
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('contacts:write')
  remove(@Caller() caller: AuthContext, @Param('id') id: string): Promise<void> {
    return this.contacts.remove(caller.organisationId, id);
  }
}
