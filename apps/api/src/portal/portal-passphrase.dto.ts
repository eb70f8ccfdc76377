import { ApiProperty } from '@nestjs/swagger';
import { PASSPHRASE_MAX, PASSPHRASE_MIN } from '@sealpost/messaging';
import { IsString, Length } from 'class-validator';

export class PortalPassphraseDto {
  @ApiProperty({ minLength: PASSPHRASE_MIN, maxLength: PASSPHRASE_MAX })
  @IsString()
  @Length(PASSPHRASE_MIN, PASSPHRASE_MAX)
  passphrase!: string;
}
