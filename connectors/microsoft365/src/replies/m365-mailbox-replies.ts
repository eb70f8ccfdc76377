import { Injectable } from '@nestjs/common';
import { type MailboxReply, MailboxReplies } from '@sealpost/messaging';
import { DeliverReplyToMailboxUseCase } from './deliver-reply-to-mailbox.use-case';

/** Portal replies to a connected organisation's M365 users go into their Inbox by Graph. */
@Injectable()
export class M365MailboxReplies extends MailboxReplies {
  constructor(private readonly inbox: DeliverReplyToMailboxUseCase) {
    super();
  }

  deliver(organisationId: string, reply: MailboxReply): Promise<string | null> {
    return this.inbox.execute(organisationId, reply);
  }
}
