import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { GOOGLE_PUSH_AUTH_MODES, type GooglePushAuth } from '@sealpost/google-workspace';

export class CreateGoogleConnectionDto {
  @ApiPropertyOptional({ default: 'my_customer', description: 'Or the customer id, C01ab2cd3.' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  customerId?: string;

  @ApiPropertyOptional({ description: 'The primary domain, e.g. example.org.' })
  @IsOptional()
  @IsString()
  @MaxLength(253)
  domain?: string;

  @ApiProperty({ description: 'A Workspace administrator the service account acts as.' })
  @IsString()
  @MaxLength(320)
  adminSubject!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The service account’s JSON key file; sealed, never shown again.',
  })
  @IsObject()
  serviceAccountKey!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'projects/<project>/topics/<topic> for Gmail watches.' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  pubsubTopic?: string;

  @ApiPropertyOptional({ enum: GOOGLE_PUSH_AUTH_MODES, default: 'oidc' })
  @IsOptional()
  @IsIn(GOOGLE_PUSH_AUTH_MODES)
  pushAuth?: GooglePushAuth;

  @ApiPropertyOptional({ description: 'The OIDC audience; default: the push endpoint URL.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  pushAudience?: string;

  @ApiPropertyOptional({ description: 'Accept push tokens of this service account only.' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  pushServiceAccount?: string;
}

export class UpdateGoogleConnectionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(40)
  customerId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(253)
  domain?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(320)
  adminSubject?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Replaces the stored key.',
  })
  @IsOptional()
  @IsObject()
  serviceAccountKey?: Record<string, unknown>;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(400)
  pubsubTopic?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  pushAudience?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(320)
  pushServiceAccount?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
