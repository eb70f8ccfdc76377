import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import {
  type ContactPage,
  SegmentMembers,
  SegmentsService,
  type SegmentView,
} from '@sealpost/workflow';
import { IsDefined, IsString, MaxLength } from 'class-validator';
import { PageQuery } from './contacts.dto';

export class SegmentFilterDto {
  @ApiProperty({
    description: 'A filter in the segment language (libs/workflow/src/segments/README.md).',
    example: { all: [{ field: 'fields.plan', op: 'eq', value: 'gold' }, { unsubscribed: false }] },
  })
  @IsDefined()
  filter!: unknown;
}

export class SegmentDto extends SegmentFilterDto {
  @ApiProperty({ example: 'Gold plan, subscribed' })
  @IsString()
  @MaxLength(200)
  name!: string;
}

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('v1/segments')
export class SegmentsController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly members: SegmentMembers,
  ) {}

  /** 422 validation_failed lists every problem of the filter with its path. */
  @Post()
  @RequireScope('contacts:write')
  create(@Caller() caller: AuthContext, @Body() dto: SegmentDto): Promise<SegmentView> {
    return this.segments.create(caller.organisationId, dto.name, dto.filter);
  }

  /** Counts the contacts an unsaved filter matches. */
  @Post('count')
  @HttpCode(200)
  @RequireScope('contacts:read')
  async countFilter(
    @Caller() caller: AuthContext,
    @Body() dto: SegmentFilterDto,
  ): Promise<{ count: number }> {
    return { count: await this.segments.countFilter(caller.organisationId, dto.filter) };
  }

  @Get()
  @RequireScope('contacts:read')
  async all(@Caller() caller: AuthContext): Promise<{ data: SegmentView[] }> {
    return { data: await this.segments.all(caller.organisationId) };
  }

  @Get(':id')
  @RequireScope('contacts:read')
  get(@Caller() caller: AuthContext, @Param('id') id: string): Promise<SegmentView> {
    return this.segments.get(caller.organisationId, id);
  }

  @Put(':id')
  @RequireScope('contacts:write')
  update(
    @Caller() caller: AuthContext,
    @Param('id') id: string,
    @Body() dto: SegmentDto,
  ): Promise<SegmentView> {
    return this.segments.update(caller.organisationId, id, dto.name, dto.filter);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('contacts:write')
  remove(@Caller() caller: AuthContext, @Param('id') id: string): Promise<void> {
    return this.segments.remove(caller.organisationId, id);
  }

  @Get(':id/count')
  @RequireScope('contacts:read')
  async count(@Caller() caller: AuthContext, @Param('id') id: string): Promise<{ count: number }> {
    return { count: await this.segments.count(caller.organisationId, id) };
  }

  @Get(':id/members')
  @RequireScope('contacts:read')
  listMembers(
    @Caller() caller: AuthContext,
    @Param('id') id: string,
    @Query() query: PageQuery,
  ): Promise<ContactPage> {
    return this.members.members(caller.organisationId, id, query);
  }
}
