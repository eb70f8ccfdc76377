import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class GenerateSigningKeyDto {
  @ApiProperty({ example: 'Example Clinic' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'secure@clinic.example', description: 'The key user id address.' })
  @IsEmail()
  email!: string;

  @ApiPropertyOptional({ enum: ['curve25519-legacy', 'rsa3072', 'rsa4096'] })
  @IsOptional()
  @IsIn(['curve25519-legacy', 'rsa3072', 'rsa4096'])
  kind: 'curve25519-legacy' | 'rsa3072' | 'rsa4096' = 'curve25519-legacy';
}

export class ArchiveKeyDto {
  @ApiProperty({ description: 'ASCII-armored public key of the archive.' })
  @IsString()
  @MaxLength(512 * 1024)
  armoredKey!: string;
}
