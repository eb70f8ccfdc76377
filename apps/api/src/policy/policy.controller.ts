import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { type EncryptionPolicy, PolicyService } from '@sealpost/encryption';
import { ProtectionPlanner, type RecipientPreview } from '@sealpost/messaging';
import { previewDraft } from './preview-draft';
import { PolicyPreviewDto } from './preview.dto';

@ApiTags('policy')
@ApiBearerAuth()
@Controller('v1/policy')
export class PolicyController {
  constructor(
    private readonly policies: PolicyService,
    private readonly planner: ProtectionPlanner,
  ) {}

  @Get()
  @RequireScope('policy:manage')
  get(@Caller() caller: AuthContext): Promise<EncryptionPolicy> {
    return this.policies.get(caller);
  }

  /** Replaces the policy; an invalid one is refused with every problem listed (422). */
  @Put()
  @RequireScope('policy:manage')
  @ApiBody({ schema: { type: 'object', description: 'See GET /v1/policy for the shape.' } })
  put(@Caller() caller: AuthContext, @Body() body: unknown): Promise<EncryptionPolicy> {
    return this.policies.put(caller, body);
  }

  /** What each recipient would get now, and why, without sending anything. */
  @Post('preview')
  @HttpCode(200)
  @RequireScope('messages:send')
  preview(
    @Caller() caller: AuthContext,
    @Body() dto: PolicyPreviewDto,
  ): Promise<{ recipients: RecipientPreview[] }> {
    return previewDraft(this.planner, caller.organisationId, dto);
  }
}
