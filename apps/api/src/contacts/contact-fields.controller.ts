import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { type ContactFieldDefinition, ContactFieldsService } from '@sealpost/workflow';
import { ContactFieldDto } from './contacts.dto';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('v1/contact-fields')
export class ContactFieldsController {
  constructor(private readonly fields: ContactFieldsService) {}

  @Get()
  @RequireScope('contacts:read')
  async list(@Caller() caller: AuthContext): Promise<{ data: ContactFieldDefinition[] }> {
    return { data: await this.fields.fieldsOf(caller.organisationId) };
  }

  /** A key is declared once; 409 already_exists when it is taken. */
  @Post()
  @RequireScope('contacts:write')
  define(
    @Caller() caller: AuthContext,
    @Body() dto: ContactFieldDto,
  ): Promise<ContactFieldDefinition> {
    return this.fields.define(caller.organisationId, dto.key, dto.type);
  }

  /** Removes the field and every contact's value of it. */
  @Delete(':key')
  @HttpCode(204)
  @RequireScope('contacts:write')
  remove(@Caller() caller: AuthContext, @Param('key') key: string): Promise<void> {
    return this.fields.remove(caller.organisationId, key);
  }
}
