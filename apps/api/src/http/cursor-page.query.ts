import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `cursor` and `limit` of a newest-first listing; the listing's own filters extend it. */
export class CursorPageQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit = 50;
}

/** `from` and `to` of a listing bounded in time: [from, to). */
export class TimeRangeQuery extends CursorPageQuery {
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'At or after.' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Before.' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
}
