import { Module } from '@nestjs/common';
import { AcceptMessageBatch } from './messages/accept-message-batch';
import { AcceptMessageUseCase } from './messages/accept-message.use-case';
import { MessagesQueryService } from './messages/messages-query.service';

/** Accepting and reading messages: what the API needs. */
@Module({
  providers: [AcceptMessageUseCase, AcceptMessageBatch, MessagesQueryService],
  exports: [AcceptMessageUseCase, AcceptMessageBatch, MessagesQueryService],
})
export class MessagingModule {}
