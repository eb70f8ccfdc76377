import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { CONTACT_FIELD_TYPES, MAX_BULK_CONTACTS } from '@sealpost/workflow';

/**
 * A contact write. Only the attribute names are checked here: the contacts service checks
 * every value (shared with bulk rows and CSV lines) and lists all problems in one answer.
 */
export class ContactDto {
  @ApiPropertyOptional({ example: 'patient@example.net', description: 'Required to create.' })
  @IsOptional()
  email?: string;

  @ApiPropertyOptional({ example: 'Ann Example', nullable: true, maxLength: 200 })
  @IsOptional()
  name?: string | null;

  @ApiPropertyOptional({ example: 'America/Chicago', description: 'IANA zone; default UTC.' })
  @IsOptional()
  timeZone?: string;

  @ApiPropertyOptional({
    example: { plan: 'gold', appointment_at: '2026-03-01T09:30:00-06:00' },
    description: 'Declared custom fields (see /v1/contact-fields); null removes one.',
  })
  @IsOptional()
  fields?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'true unsubscribes; false resubscribes.' })
  @IsOptional()
  unsubscribed?: boolean;

  @ApiPropertyOptional({ example: 'email opt-in 2026-01-12 front desk', nullable: true })
  @IsOptional()
  consent?: string | null;

  @ApiPropertyOptional({ example: 'Patient/123', nullable: true })
  @IsOptional()
  ehrPatientRef?: string | null;
}

export class BulkContactsDto {
  @ApiProperty({ type: [ContactDto], maxItems: MAX_BULK_CONTACTS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_CONTACTS)
  @IsObject({ each: true })
  contacts!: Record<string, unknown>[];
}

export class ContactFieldDto {
  @ApiProperty({ example: 'appointment_at' })
  @IsString()
  @MaxLength(64)
  key!: string;

  @ApiProperty({ enum: CONTACT_FIELD_TYPES })
  @IsString()
  type!: string;
}

export class PageQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;
}

export class ListContactsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Exact address, any case.' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  unsubscribed?: boolean;

  @ApiPropertyOptional({ description: 'Members of this list only.' })
  @IsOptional()
  @IsUUID()
  listId?: string;
}

export class CsvImportQuery {
  @ApiPropertyOptional({
    enum: ['valid-rows', 'all-or-nothing'],
    default: 'valid-rows',
    description: 'valid-rows imports the valid lines; all-or-nothing imports none if any fails.',
  })
  @IsOptional()
  @IsIn(['valid-rows', 'all-or-nothing'])
  mode?: 'valid-rows' | 'all-or-nothing';
}
