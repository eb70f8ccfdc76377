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
import {
  type Mailbox,
  parseMailbox,
  previewRecipients,
  ProtectionPlanner,
  type RecipientPreview,
} from '@sealpost/messaging';
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
  async preview(
    @Caller() caller: AuthContext,
    @Body() dto: PolicyPreviewDto,
  ): Promise<{ recipients: RecipientPreview[] }> {
    const recipients = await previewRecipients(
      this.planner,
      {
        organisationId: caller.organisationId,
        from: dto.from,
        subject: dto.subject,
        headers: dto.headers,
        text: dto.text,
        html: dto.html,
      },
      parseRecipients(dto.recipients),
    );
    return { recipients };
  }
}

/** Every recipient as a mailbox, or a 422 naming each one that is not an address. */
export function parseRecipients(values: readonly string[]): Mailbox[] {
  const mailboxes = values.map((value) => parseMailbox(value));
  const problems: ErrorDetail[] = mailboxes.flatMap((mailbox, index) =>
    mailbox ? [] : [{ path: `recipients[${index}]`, message: 'is not a valid email address' }],
  );
  if (problems.length) {
    throw new SealpostError(ErrorCode.ValidationFailed, 'The request is not valid.', problems);
  }
  return mailboxes as Mailbox[];
}
