import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import {
  type ContactListView,
  ContactListsService,
  type ContactPage,
  ContactsService,
  MAX_MEMBERSHIP_IDS,
  type MembershipChange,
} from '@sealpost/workflow';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength } from 'class-validator';
import { PageQuery } from './contacts.dto';

export class ContactListDto {
  @ApiProperty({ example: 'Diabetes programme' })
  @IsString()
  @MaxLength(200)
  name!: string;
}

export class MembersDto {
  @ApiProperty({ type: [String], maxItems: MAX_MEMBERSHIP_IDS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_MEMBERSHIP_IDS)
  @IsString({ each: true })
  contactIds!: string[];
}

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('v1/lists')
export class ContactListsController {
  constructor(
    private readonly lists: ContactListsService,
    private readonly contacts: ContactsService,
  ) {}

  @Post()
  @RequireScope('contacts:write')
  create(@Caller() caller: AuthContext, @Body() dto: ContactListDto): Promise<ContactListView> {
    return this.lists.create(caller.organisationId, dto.name);
  }

  @Get()
  @RequireScope('contacts:read')
  async all(@Caller() caller: AuthContext): Promise<{ data: ContactListView[] }> {
    return { data: await this.lists.all(caller.organisationId) };
  }

  @Get(':id')
  @RequireScope('contacts:read')
  get(@Caller() caller: AuthContext, @Param('id') id: string): Promise<ContactListView> {
    return this.lists.get(caller.organisationId, id);
  }

  @Patch(':id')
  @RequireScope('contacts:write')
  rename(
    @Caller() caller: AuthContext,
    @Param('id') id: string,
    @Body() dto: ContactListDto,
  ): Promise<ContactListView> {
    return this.lists.rename(caller.organisationId, id, dto.name);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('contacts:write')
  remove(@Caller() caller: AuthContext, @Param('id') id: string): Promise<void> {
    return this.lists.remove(caller.organisationId, id);
  }

  @Get(':id/members')
  @RequireScope('contacts:read')
  async members(
    @Caller() caller: AuthContext,
    @Param('id') id: string,
    @Query() query: PageQuery,
  ): Promise<ContactPage> {
    await this.lists.get(caller.organisationId, id);
    return this.contacts.list(caller.organisationId, { ...query, listId: id });
  }

  /** Ids that are not contacts of the organisation come back under notFound. */
  @Post(':id/members')
  @HttpCode(200)
  @RequireScope('contacts:write')
  add(
    @Caller() caller: AuthContext,
    @Param('id') id: string,
    @Body() dto: MembersDto,
  ): Promise<MembershipChange> {
    return this.lists.addMembers(caller.organisationId, id, dto.contactIds);
  }

  @Post(':id/members/remove')
  @HttpCode(200)
  @RequireScope('contacts:write')
  removeMembers(
    @Caller() caller: AuthContext,
    @Param('id') id: string,
    @Body() dto: MembersDto,
  ): Promise<MembershipChange> {
    return this.lists.removeMembers(caller.organisationId, id, dto.contactIds);
  }
}
