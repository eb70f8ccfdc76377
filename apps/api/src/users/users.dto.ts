import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { USER_ROLES, type UserRole } from '@sealpost/core';

export class InviteUserDto {
  @ApiProperty({ example: 'dana.lee@clinic.example' })
  @IsString()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ example: 'Dana Lee' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES)
  role!: UserRole;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: USER_ROLES })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;
}

export class BeginEnrolmentDto {
  @ApiProperty({ description: 'The spi_... token from the invitation' })
  @IsString()
  @MaxLength(200)
  inviteToken!: string;

  @ApiProperty({ minLength: 12, maxLength: 200 })
  @IsString()
  @MaxLength(1000)
  password!: string;
}

export class ConfirmEnrolmentDto {
  @ApiProperty()
  @IsString()
  @MaxLength(200)
  inviteToken!: string;

  @ApiProperty({ example: '123456', description: 'A code from the authenticator app' })
  @IsString()
  @MaxLength(10)
  code!: string;
}

export class SignInDto {
  @ApiProperty()
  @IsString()
  @MaxLength(320)
  email!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(1000)
  password!: string;

  @ApiProperty({ example: '123456' })
  @IsString()
  @MaxLength(10)
  code!: string;

  @ApiPropertyOptional({ description: 'Required of break-glass accounts: why, for the audit' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  breakGlassReason?: string;
}
