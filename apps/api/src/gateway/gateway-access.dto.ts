import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class CreateGatewayCredentialDto {
  @ApiProperty({ example: 'Exchange Online connector' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;
}

export class AddSenderRangeDto {
  @ApiProperty({ example: '203.0.113.0/24', description: 'IPv4 or IPv6 address or CIDR range' })
  @IsString()
  @MaxLength(64)
  cidr!: string;

  @ApiPropertyOptional({
    example: ['clinic.example.org'],
    description: 'Only these MAIL FROM domains are accepted from the range; empty: any',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(253, { each: true })
  senderDomains?: string[];
}
