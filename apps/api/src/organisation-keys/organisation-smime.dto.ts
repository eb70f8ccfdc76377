import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';

export class SmimeSigningCertificateDto {
  @ApiProperty({ description: 'PEM signing certificate; intermediates may follow it.' })
  @IsString()
  @MaxLength(256 * 1024)
  certificate!: string;

  @ApiPropertyOptional({ description: 'PEM intermediates, sent with every signature.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(8)
  @IsString({ each: true })
  @MaxLength(64 * 1024, { each: true })
  chain?: string[];

  @ApiProperty({ description: 'Unencrypted PKCS#8 or PKCS#1 RSA private key, PEM.' })
  @IsString()
  @MaxLength(64 * 1024)
  privateKey!: string;
}
