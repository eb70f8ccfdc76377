import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { WEBHOOK_EVENT_FAMILIES, WEBHOOK_EVENT_TYPES } from '@sealpost/audit';
import {
  FHIR_AUTH_MODES,
  type FhirAuthMode,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from '@sealpost/fhir';

const EVENT_FILTERS = [...WEBHOOK_EVENT_TYPES, ...WEBHOOK_EVENT_FAMILIES];

export class CreateFhirConnectionDto {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ description: 'The FHIR R4 base URL, e.g. https://ehr.example/fhir/r4.' })
  @IsString()
  @MaxLength(2048)
  baseUrl!: string;

  @ApiProperty({ enum: FHIR_AUTH_MODES })
  @IsIn(FHIR_AUTH_MODES)
  authMode!: FhirAuthMode;

  @ApiPropertyOptional({ description: 'smart-backend: the client id the EHR registered.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  clientId?: string;

  @ApiPropertyOptional({
    description: 'smart-backend: scopes asked for.',
    default: 'system/Communication.write system/Communication.read',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  scope?: string;

  @ApiPropertyOptional({ description: 'bearer: the token; stored sealed, never shown again.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  bearerToken?: string;

  @ApiPropertyOptional({
    enum: EVENT_FILTERS,
    isArray: true,
    description: 'Event types that update the chart; empty or absent: every type.',
  })
  @IsOptional()
  @ArrayMaxSize(EVENT_FILTERS.length)
  @IsIn(EVENT_FILTERS, { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({
    default: false,
    description: 'Put the message text in the chart; by default only its title and a link.',
  })
  @IsOptional()
  @IsBoolean()
  includeContent?: boolean;
}

export class UpdateFhirConnectionDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  baseUrl?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  clientId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  scope?: string;

  @ApiPropertyOptional({ description: 'Replaces the stored token.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  bearerToken?: string;

  @ApiPropertyOptional({ enum: EVENT_FILTERS, isArray: true })
  @IsOptional()
  @ArrayMaxSize(EVENT_FILTERS.length)
  @IsIn(EVENT_FILTERS, { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  includeContent?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class AddFhirSigningKeyDto {
  @ApiPropertyOptional({ enum: SIGNING_ALGORITHMS, default: 'ES384' })
  @IsOptional()
  @IsIn(SIGNING_ALGORITHMS)
  algorithm?: SigningAlgorithm;
}
