import { Module } from '@nestjs/common';
import { MessageEventsSearch } from '@sealpost/messaging';
import { MessageEventsController } from './message-events.controller';

@Module({
  providers: [MessageEventsSearch],
  controllers: [MessageEventsController],
})
export class MessageEventsHttpModule {}
