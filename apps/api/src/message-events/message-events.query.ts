import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { DeliveryMethod, RecipientStatus } from '@sealpost/messaging';
import { TimeRangeQuery } from '../http/cursor-page.query';

export class SearchMessageEventsQuery extends TimeRangeQuery {
  @ApiPropertyOptional({ description: "The recipient's exact address." })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  recipient?: string;

  @ApiPropertyOptional({ description: "The message's From address." })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  sender?: string;

  @ApiPropertyOptional({ description: 'Event type: accepted, delivered, opened, portal_viewed...' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  type?: string;

  @ApiPropertyOptional({ enum: RecipientStatus, description: "The recipient's status now." })
  @IsOptional()
  @IsIn(Object.values(RecipientStatus))
  status?: RecipientStatus;

  @ApiPropertyOptional({ enum: DeliveryMethod })
  @IsOptional()
  @IsIn(Object.values(DeliveryMethod))
  method?: DeliveryMethod;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  workflowId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  tag?: string;
}
