import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class CreateM365ConnectionDto {
  @ApiProperty({ description: 'Directory (tenant) id, or a verified domain of the tenant.' })
  @IsString()
  @MaxLength(253)
  tenantId!: string;

  @ApiProperty({ description: 'Application (client) id of the app registration.' })
  @IsString()
  @MaxLength(64)
  clientId!: string;

  @ApiPropertyOptional({ description: 'Client secret; stored sealed, never shown again.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  clientSecret?: string;

  @ApiPropertyOptional({ description: 'Certificate credential: the private key (PEM), sealed.' })
  @IsOptional()
  @IsString()
  @MaxLength(16384)
  privateKeyPem?: string;

  @ApiPropertyOptional({
    description: 'Certificate credential: the certificate uploaded to Entra.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(16384)
  certificatePem?: string;

  @ApiPropertyOptional({
    default: true,
    description: 'Audit Sent Items for mail that bypassed the gateway.',
  })
  @IsOptional()
  @IsBoolean()
  watchSentItems?: boolean;
}

export class UpdateM365ConnectionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(253)
  tenantId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  clientId?: string;

  @ApiPropertyOptional({ description: 'Replaces the stored credential.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  clientSecret?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(16384)
  privateKeyPem?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(16384)
  certificatePem?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  watchSentItems?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
