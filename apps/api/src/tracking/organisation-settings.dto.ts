import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, ValidateNested } from 'class-validator';

export class TrackingSettingsDto {
  @ApiProperty({ description: 'Open pixel and tracked links in HTML mail.' })
  @IsBoolean()
  enabled!: boolean;
}

export class OrganisationSettingsDto {
  @ApiProperty({ type: TrackingSettingsDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => TrackingSettingsDto)
  tracking!: TrackingSettingsDto;
}
