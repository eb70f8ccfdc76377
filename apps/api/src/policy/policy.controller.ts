import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  type AuthContext,
  Caller,
  type ErrorDetail,
  ErrorCode,
  RequireScope,
  SealpostError,
} from '@sealpost/core';
import { type EncryptionPolicy, PolicyService } from '@sealpost/encryption';
import { parseMailbox, ProtectionPlanner } from '@sealpost/messaging';
import { PolicyPreviewDto } from './preview.dto';

interface RecipientPreview {
  address: string;
  method: string;
  action: 'send' | 'drop';
  reasons: string[];
  protectionRequired: boolean;
  protectionReasons: string[];
}

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
  async preview(
    @Caller() caller: AuthContext,
    @Body() dto: PolicyPreviewDto,
  ): Promise<{ recipients: RecipientPreview[] }> {
    const mailboxes = dto.recipients.map((value) => parseMailbox(value));
    const problems: ErrorDetail[] = mailboxes.flatMap((mailbox, index) =>
      mailbox ? [] : [{ path: `recipients[${index}]`, message: 'is not a valid email address' }],
    );
    if (problems.length) {
      throw new SealpostError(ErrorCode.ValidationFailed, 'The request is not valid.', problems);
    }
    const recipients = await Promise.all(
      mailboxes.map(async (mailbox) => {
        const { address, domain } = mailbox as NonNullable<typeof mailbox>;
        const plan = await this.planner.plan({
          organisationId: caller.organisationId,
          from: dto.from,
          subject: dto.subject,
          headers: dto.headers,
          text: dto.text,
          html: dto.html,
          recipient: { address, domain },
        });
        return {
          address,
          method: plan.decision.method,
          action: plan.decision.action,
          reasons: [...plan.decision.reasons],
          protectionRequired: plan.protectionRequired,
          protectionReasons: plan.protectionReasons,
        };
      }),
    );
    return { recipients };
  }
}
