import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBase64,
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsStringRecord } from '../http/is-string-record.validator';

const asList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? [value] : value;

export class AttachmentDto {
  @ApiProperty({ example: 'results.pdf' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  filename!: string;

  @ApiProperty({ example: 'application/pdf' })
  @Matches(/^[\w.+-]+\/[\w.+-]+$/, { message: 'contentType must be a MIME type like text/plain' })
  contentType!: string;

  @ApiProperty({ description: 'The file, base64-encoded.' })
  @IsBase64()
  content!: string;
}

export class SendMessageDto {
  @ApiProperty({ example: 'Clinic <clinic@example.org>' })
  @IsString()
  @MaxLength(998)
  from!: string;

  @ApiPropertyOptional({ type: [String], example: ['patient@example.net'] })
  @IsOptional()
  @Transform(asList)
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  to: string[] = [];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @Transform(asList)
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  cc: string[] = [];

  @ApiPropertyOptional({ type: [String], description: 'Receive a copy; never shown in headers.' })
  @IsOptional()
  @Transform(asList)
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  bcc: string[] = [];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(998)
  replyTo?: string;

  @ApiProperty({ example: 'Your results are ready' })
  @IsString()
  @MaxLength(998)
  subject!: string;

  @ApiPropertyOptional({ description: 'Plain-text body; text or html is required.' })
  @IsOptional()
  @IsString()
  text?: string;

  @ApiPropertyOptional({ description: 'HTML body; text or html is required.' })
  @IsOptional()
  @IsString()
  html?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  @IsStringRecord(100, 998)
  headers: Record<string, string> = {};

  @ApiPropertyOptional({ type: [AttachmentDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AttachmentDto)
  attachments: AttachmentDto[] = [];

  @ApiPropertyOptional({ type: [String], example: ['results'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^[\w.:-]{1,64}$/, { each: true, message: 'each tag is 1-64 of A-Z a-z 0-9 _ . : -' })
  tags: string[] = [];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Your references (ids, not PHI); returned with the message.',
  })
  @IsOptional()
  @IsObject()
  @IsStringRecord(50, 500)
  metadata: Record<string, string> = {};

  @ApiPropertyOptional({
    description: 'false: no open pixel and no tracked links, whatever the organisation allows.',
  })
  @IsOptional()
  @IsBoolean()
  tracking?: boolean;
}
