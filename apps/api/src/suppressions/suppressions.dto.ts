import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class AddSuppressionDto {
  @ApiProperty({ example: 'jane.doe@patients.example', maxLength: 320 })
  @IsString()
  @MaxLength(320)
  address!: string;
}
