import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

export class ConfigureAppointmentTriggerDto {
  @ApiProperty({ description: 'The workflow a booked appointment enrolls its contact in.' })
  @IsUUID()
  workflowId!: string;

  @ApiPropertyOptional({
    default: 'status=booked,cancelled',
    description:
      'Appointment search parameters as a query string; Sealpost adds _lastUpdated, _sort ' +
      'and _count itself.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  search?: string;

  @ApiPropertyOptional({ default: true, description: 'Poll the EHR on the interval.' })
  @IsOptional()
  @IsBoolean()
  polling?: boolean;

  @ApiPropertyOptional({ default: 300, minimum: 30, maximum: 86400 })
  @IsOptional()
  @IsInt()
  pollIntervalSeconds?: number;

  @ApiPropertyOptional({
    default: false,
    description: 'Make a new notification secret (shown once); the old one stops working.',
  })
  @IsOptional()
  @IsBoolean()
  rotateSecret?: boolean;
}

export class ListAppointmentsQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the page before.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
