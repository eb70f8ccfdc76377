import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn } from 'class-validator';
import { REPORT_FORMATS, type ReportFormat } from '@sealpost/audit';

export class ReportRangeQueryDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'Start, inclusive.' })
  @Type(() => Date)
  @IsDate()
  from!: Date;

  @ApiProperty({ type: String, format: 'date-time', description: 'End, exclusive.' })
  @Type(() => Date)
  @IsDate()
  to!: Date;
}

export class ReportRequestDto extends ReportRangeQueryDto {
  @ApiProperty({ enum: REPORT_FORMATS })
  @IsIn(REPORT_FORMATS)
  format!: ReportFormat;
}
