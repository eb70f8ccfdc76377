import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ADDIN_SCOPE, type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { compilePhiDetectors, detectPhi, htmlToText, PolicyService } from '@sealpost/encryption';
import { ProtectionPlanner, type RecipientPreview } from '@sealpost/messaging';
import { previewDraft } from '../policy/preview-draft';
import { AddinDraftDto, AddinPreviewDto } from './addin.dto';

/**
 * What the Outlook add-in asks, with a per-user token (`spa_...`, scope `addin:use`): the
 * organisation's subject tag, whether a draft trips a PHI detector, and the recipient preview.
 * Drafts are read and forgotten; answers name detectors and rules, never the text.
 */
@ApiTags('add-ins')
@ApiBearerAuth()
@Controller('v1/addin')
export class AddinChecksController {
  constructor(
    private readonly policies: PolicyService,
    private readonly planner: ProtectionPlanner,
  ) {}

  @Get('settings')
  @RequireScope(ADDIN_SCOPE)
  async settings(@Caller() caller: AuthContext): Promise<{ subjectTag: string | null }> {
    const policy = await this.policies.forOrganisation(caller.organisationId);
    return { subjectTag: policy.protection.subjectTag };
  }

  @Post('phi-check')
  @HttpCode(200)
  @RequireScope(ADDIN_SCOPE)
  async phiCheck(
    @Caller() caller: AuthContext,
    @Body() dto: AddinDraftDto,
  ): Promise<{ phiDetected: boolean; detectors: string[]; subjectTag: string | null }> {
    const policy = await this.policies.forOrganisation(caller.organisationId);
    const scanned = [dto.subject, dto.text ?? '', htmlToText(dto.html ?? '')].join('\n\n');
    const detectors = detectPhi(scanned, compilePhiDetectors(policy.protection.detectors));
    return {
      phiDetected: detectors.length > 0,
      detectors,
      subjectTag: policy.protection.subjectTag,
    };
  }

  @Post('preview')
  @HttpCode(200)
  @RequireScope(ADDIN_SCOPE)
  preview(
    @Caller() caller: AuthContext,
    @Body() dto: AddinPreviewDto,
  ): Promise<{ recipients: RecipientPreview[] }> {
    return previewDraft(this.planner, caller.organisationId, dto);
  }
}
