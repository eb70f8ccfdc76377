import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';

// Room for a rich HTML email; far beyond any real template, far below the body limit.
const MAX_PART = 200_000;

export class TemplatePartsDto {
  @ApiProperty({ example: 'Your appointment on {{formatDate trigger.at "d MMMM"}}' })
  @IsString()
  @MaxLength(998)
  subject!: string;

  @ApiPropertyOptional({ description: 'Plain text; never HTML-escaped.' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PART)
  text?: string;

  @ApiPropertyOptional({ description: 'HTML; values are escaped.' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PART)
  html?: string;
}

export class TemplateDto extends TemplatePartsDto {
  @ApiProperty({ example: 'Appointment reminder' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;
}

export class SampleContactDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  name?: string;

  @ApiPropertyOptional({ example: 'America/Chicago' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  fields?: Record<string, unknown>;
}

/** Whose values to render with: a stored contact (`contactId`) or sample data. */
export class PreviewDto {
  @ApiPropertyOptional({ description: 'A contact of your organisation.' })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({ type: SampleContactDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SampleContactDto)
  contact?: SampleContactDto;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  trigger?: Record<string, unknown>;
}

export class DraftPreviewDto extends PreviewDto {
  @ApiProperty({ type: TemplatePartsDto })
  @ValidateNested()
  @Type(() => TemplatePartsDto)
  template!: TemplatePartsDto;
}
