import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { WEBHOOK_EVENT_FAMILIES, WEBHOOK_EVENT_TYPES } from '@sealpost/audit';

const EVENT_FILTERS = [...WEBHOOK_EVENT_TYPES, ...WEBHOOK_EVENT_FAMILIES];

export class CreateWebhookDto {
  @ApiProperty({ description: 'https URL the events are POSTed to.' })
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({
    enum: EVENT_FILTERS,
    isArray: true,
    description: 'Types to send (`message.*` for a family); empty or absent: every type.',
  })
  @IsOptional()
  @ArrayMaxSize(EVENT_FILTERS.length)
  @IsIn(EVENT_FILTERS, { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    enum: ['hmac-sha256', 'ed25519'],
    default: 'hmac-sha256',
    description: 'v1 (whsec_ shared secret) or v1a (Ed25519; receivers hold the whpk_ key).',
  })
  @IsOptional()
  @IsIn(['hmac-sha256', 'ed25519'])
  signing?: 'hmac-sha256' | 'ed25519';
}

export class UpdateWebhookDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ enum: EVENT_FILTERS, isArray: true })
  @IsOptional()
  @ArrayMaxSize(EVENT_FILTERS.length)
  @IsIn(EVENT_FILTERS, { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({ description: 'true re-enables a disabled endpoint.' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class ListAttemptsQuery {
  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'Attempts older than this attempt id (next page).' })
  @IsOptional()
  @Matches(/^\d{1,18}$/)
  before?: string;
}
