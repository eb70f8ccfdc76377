import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { IsStringRecord } from '../http/is-string-record.validator';

export class PolicyPreviewDto {
  @ApiProperty({ example: 'clinic@example.org' })
  @IsString()
  @MaxLength(998)
  from!: string;

  @ApiProperty({ type: [String], example: ['patient@example.net'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  recipients!: string[];

  @ApiProperty({ example: '[secure] Your results' })
  @IsString()
  @MaxLength(998)
  subject!: string;

  @ApiPropertyOptional({ description: 'Scanned by the PHI detectors; never stored.' })
  @IsOptional()
  @IsString()
  text?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  html?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  @IsStringRecord(100, 998)
  headers: Record<string, string> = {};
}
