import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ADDIN_CLIENTS, type AddinClient } from '@sealpost/core';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { IsStringRecord } from '../http/is-string-record.validator';

export class IssueAddinTokenDto {
  @ApiProperty({ enum: ADDIN_CLIENTS, example: 'outlook' })
  @IsIn(ADDIN_CLIENTS)
  client!: AddinClient;
}

/** A draft as an add-in sends it to be checked; never stored, never logged. */
export class AddinDraftDto {
  @ApiProperty({ example: 'Your results' })
  @IsString()
  @MaxLength(998)
  subject!: string;

  @ApiPropertyOptional({ description: 'Scanned by the PHI detectors; never stored.' })
  @IsOptional()
  @IsString()
  @MaxLength(1_000_000)
  text?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1_000_000)
  html?: string;
}

export class AddinPreviewDto extends AddinDraftDto {
  @ApiProperty({ example: 'dana@clinic.example' })
  @IsString()
  @MaxLength(998)
  from!: string;

  @ApiProperty({ type: [String], example: ['patient@example.net'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  recipients!: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  @IsStringRecord(100, 998)
  headers: Record<string, string> = {};
}
