import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { type RetentionPolicy, RetentionPoliciesService } from '@sealpost/messaging';
import { IsInt, ValidateIf } from 'class-validator';

export class RetentionPolicyDto {
  @ApiProperty({ nullable: true, example: 365, description: 'days; null keeps bodies forever' })
  @ValidateIf((_dto, value) => value !== null)
  @IsInt()
  bodyDays!: number | null;

  @ApiProperty({ nullable: true, example: 2190, description: 'days (>= 7); null keeps forever' })
  @ValidateIf((_dto, value) => value !== null)
  @IsInt()
  eventDays!: number | null;
}

/** How long message bodies and events are kept; the audit chain is kept regardless. */
@ApiTags('retention')
@ApiBearerAuth()
@Controller('v1/organisation/retention')
export class RetentionController {
  constructor(private readonly policies: RetentionPoliciesService) {}

  @Get()
  @RequireScope('settings:manage')
  get(@Caller() caller: AuthContext): Promise<RetentionPolicy> {
    return this.policies.get(caller);
  }

  @Put()
  @RequireScope('settings:manage')
  put(@Caller() caller: AuthContext, @Body() dto: RetentionPolicyDto): Promise<RetentionPolicy> {
    return this.policies.put(caller, { bodyDays: dto.bodyDays, eventDays: dto.eventDays });
  }
}
