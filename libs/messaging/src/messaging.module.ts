import { Module } from '@nestjs/common';
import { AcceptMessageUseCase } from './messages/accept-message.use-case';
import { MessagesQueryService } from './messages/messages-query.service';

/** Accepting and reading messages: what the API needs. */
@Module({
  providers: [AcceptMessageUseCase, MessagesQueryService],
  exports: [AcceptMessageUseCase, MessagesQueryService],
})
export class MessagingModule {}
