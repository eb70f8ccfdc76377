import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Caller, RequireScope } from '@sealpost/core';
import { type MessageEventPage, MessageEventsSearch } from '@sealpost/messaging';
import { SearchMessageEventsQuery } from './message-events.query';

/** What happened to messages, across messages: delivery, bounces, opens, clicks, portal. */
@ApiTags('messages')
@ApiBearerAuth()
@Controller('v1/message-events')
export class MessageEventsController {
  constructor(private readonly search: MessageEventsSearch) {}

  @Get()
  @RequireScope('messages:read')
  list(
    @Caller() caller: AuthContext,
    @Query() query: SearchMessageEventsQuery,
  ): Promise<MessageEventPage> {
    return this.search.search(caller, query);
  }
}
