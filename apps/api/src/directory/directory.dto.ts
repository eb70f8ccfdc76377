import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class UploadPgpKeyDto {
  @ApiProperty({ example: 'patient@example.net' })
  @IsString()
  @MaxLength(320)
  address!: string;

  @ApiProperty({ description: 'ASCII-armored public key (one key).' })
  @IsString()
  @MaxLength(512 * 1024)
  armoredKey!: string;
}

export class UploadCertificateDto {
  @ApiProperty({ example: 'doctor@hospital.example' })
  @IsString()
  @MaxLength(320)
  address!: string;

  @ApiProperty({ description: 'PEM certificate, optionally followed by intermediates.' })
  @IsString()
  @MaxLength(256 * 1024)
  certificate!: string;
}

export class DirectoryQuery {
  @ApiPropertyOptional({ description: 'Only entries for this address.' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  address?: string;
}
