import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsEnum, IsOptional, IsString, MaxLength } from 'class-validator';
import { RecipientStatus } from '@sealpost/messaging';
import { CursorPageQuery } from '../http/cursor-page.query';

export class ListMessagesQuery extends CursorPageQuery {
  @ApiPropertyOptional({ enum: RecipientStatus, description: 'Messages with a recipient in it.' })
  @IsOptional()
  @IsEnum(RecipientStatus)
  status?: RecipientStatus;

  @ApiPropertyOptional({ description: 'Messages to this exact address.' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  recipient?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  tag?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Created at or after.' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  createdAfter?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Created before.' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  createdBefore?: Date;
}
