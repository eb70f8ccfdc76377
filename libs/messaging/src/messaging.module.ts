import { Module } from '@nestjs/common';
import { AcceptMessageBatch } from './messages/accept-message-batch';
import { AcceptMessageOnce } from './messages/accept-message-once';
import { AcceptMessageUseCase } from './messages/accept-message.use-case';
import { MessagesQueryService } from './messages/messages-query.service';

/** Accepting and reading messages: what the API needs. */
@Module({
  providers: [AcceptMessageUseCase, AcceptMessageBatch, AcceptMessageOnce, MessagesQueryService],
  exports: [AcceptMessageUseCase, AcceptMessageBatch, AcceptMessageOnce, MessagesQueryService],
})
export class MessagingModule {}
