import { Injectable } from '@nestjs/common';
import { type MailboxReply } from '@sealpost/messaging';
import { M365ConnectionsService } from '../connections/m365-connections.service';
import { DirectoryStore } from '../directory/directory.store';
import { GraphClientFactory } from '../graph/graph-client.factory';
import { m365FailureOf } from '../m365-connector-error';

// PR_MESSAGE_FLAGS (0x0E07) with MSGFLAG_READ off and MSGFLAG_UNSENT off: without it a message
// created in a folder is a draft; with 0 it shows as an unread, received message.
const RECEIVED_MESSAGE_FLAGS = { id: 'Integer 0x0E07', value: '0' };

/**
 * Puts a portal reply straight into the original sender's Inbox with Graph
 * (`POST /users/{id}/mailFolders/inbox/messages`). Chosen over sendMail-to-self because the
 * reply then never crosses SMTP transport: no transport rule routes it back through the
 * gateway, no journaling or outbound connector sees the text, and Mail.ReadWrite suffices
 * (sendMail would need Mail.Send, the right to send as anyone). Returns null when the
 * address is no M365 user of the organisation, so the caller falls back to SMTP.
 */
@Injectable()
export class DeliverReplyToMailboxUseCase {
  constructor(
    private readonly connections: M365ConnectionsService,
    private readonly directory: DirectoryStore,
    private readonly clients: GraphClientFactory,
  ) {}

  async execute(organisationId: string, reply: MailboxReply): Promise<string | null> {
    const connection = await this.connections.open(organisationId);
    const userId = connection?.enabled
      ? await this.directory.userByAddress(organisationId, reply.to)
      : null;
    if (!connection || !userId) {
      return null;
    }
    try {
      const created = (await (
        await this.clients.forConnection(connection)
      )
        .api(`/users/${encodeURIComponent(userId)}/mailFolders/inbox/messages`)
        .post({
          subject: reply.subject,
          body: { contentType: 'text', content: reply.text },
          toRecipients: [{ emailAddress: { address: reply.to } }],
          replyTo: [{ emailAddress: { address: reply.replyTo } }],
          from: { emailAddress: { address: reply.replyTo, name: 'Secure portal reply' } },
          singleValueExtendedProperties: [RECEIVED_MESSAGE_FLAGS],
        })) as { id: string };
      return created.id;
    } catch (error) {
      throw m365FailureOf(error);
    }
  }
}
