import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, IsArray, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { SCOPES } from '@sealpost/core';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'EHR integration' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['messages:send', 'messages:read'] })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(SCOPES, { each: true })
  scopes!: string[];
}
