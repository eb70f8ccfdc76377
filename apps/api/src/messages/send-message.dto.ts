import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI description of an attachment; sendMessageSchema checks requests. */
export class AttachmentDto {
  @ApiProperty({ example: 'results.pdf', minLength: 1, maxLength: 255 })
  filename!: string;

  @ApiProperty({ example: 'application/pdf' })
  contentType!: string;

  @ApiProperty({ description: 'The file, base64-encoded.' })
  content!: string;
}

/** OpenAPI description of the body of POST /v1/messages; sendMessageSchema checks requests. */
export class SendMessageDto {
  @ApiProperty({ example: 'Clinic <clinic@example.org>', maxLength: 998 })
  from!: string;

  @ApiPropertyOptional({ type: [String], example: ['patient@example.net'], maxItems: 10_000 })
  to: string[] = [];

  @ApiPropertyOptional({ type: [String], maxItems: 10_000 })
  cc: string[] = [];

  @ApiPropertyOptional({ type: [String], description: 'Receive a copy; never shown in headers.' })
  bcc: string[] = [];

  @ApiPropertyOptional({ maxLength: 998 })
  replyTo?: string;

  @ApiProperty({ example: 'Your results are ready', maxLength: 998 })
  subject!: string;

  @ApiPropertyOptional({ description: 'Plain-text body; text or html is required.' })
  text?: string;

  @ApiPropertyOptional({ description: 'HTML body; text or html is required.' })
  html?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  headers: Record<string, string> = {};

  @ApiPropertyOptional({ type: [AttachmentDto], maxItems: 100 })
  attachments: AttachmentDto[] = [];

  @ApiPropertyOptional({
    type: [String],
    example: ['results'],
    maxItems: 20,
    description: 'Each 1-64 of A-Z a-z 0-9 _ . : -',
  })
  tags: string[] = [];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Your references (ids, not PHI); returned with the message.',
  })
  metadata: Record<string, string> = {};

  @ApiPropertyOptional({
    description: 'false: no open pixel and no tracked links, whatever the organisation allows.',
  })
  tracking?: boolean;
}
