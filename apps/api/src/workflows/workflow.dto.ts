import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

// A display name in a From header; quotes and line breaks would need encoding we avoid.
const SENDER_NAME = /^[^"\r\n<>]{1,100}$/;
// The most contacts one request names; larger audiences enroll by list or segment.
const MAX_CONTACT_IDS = 10_000;

export class WorkflowSettingsDto {
  @ApiPropertyOptional({ example: 'North Clinic', nullable: true })
  @IsOptional()
  @Matches(SENDER_NAME, { message: 'senderName must be 1-100 characters without quotes or <>' })
  senderName?: string | null;

  @ApiProperty({ example: 'reminders@clinic.example' })
  @IsEmail({}, { message: 'senderAddress must be an email address' })
  senderAddress!: string;

  @ApiPropertyOptional({ example: 'front-desk@clinic.example', nullable: true })
  @IsOptional()
  @IsEmail({}, { message: 'replyTo must be an email address' })
  replyTo?: string | null;

  @ApiPropertyOptional({ description: 'Higher sends first when work queues up.', example: 0 })
  @IsOptional()
  @IsInt()
  @Min(-100)
  @Max(100)
  priority?: number;
}

export class PartialWorkflowSettingsDto {
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Matches(SENDER_NAME, { message: 'senderName must be 1-100 characters without quotes or <>' })
  senderName?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail({}, { message: 'senderAddress must be an email address' })
  senderAddress?: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsEmail({}, { message: 'replyTo must be an email address' })
  replyTo?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(-100)
  @Max(100)
  priority?: number;
}

const DEFINITION_DOC =
  'Steps and triggers; see the workflows README. Refused with 422 listing every problem ' +
  'with its code and step id.';

export class CreateWorkflowDto {
  @ApiProperty({ example: 'Appointment reminder' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ type: WorkflowSettingsDto })
  @ValidateNested()
  @Type(() => WorkflowSettingsDto)
  settings!: WorkflowSettingsDto;

  @ApiProperty({ type: 'object', description: DEFINITION_DOC, additionalProperties: true })
  @IsObject()
  definition!: Record<string, unknown>;
}

export class UpdateWorkflowDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ type: PartialWorkflowSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartialWorkflowSettingsDto)
  settings?: PartialWorkflowSettingsDto;

  @ApiPropertyOptional({
    type: 'object',
    description: `Publishes the next version. ${DEFINITION_DOC}`,
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  definition?: Record<string, unknown>;
}

/** Exactly one of contactIds, listId, segmentId (checked in the controller). */
export class EnrollDto {
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CONTACT_IDS)
  @IsUUID('all', { each: true })
  contactIds?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  listId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  segmentId?: string;
}

export class RecordEventDto {
  @ApiProperty({ example: 'form_submitted' })
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    message: 'type must be 1-64 letters, digits, dots, dashes or _',
  })
  type!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({ example: 'patient@example.test' })
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}
