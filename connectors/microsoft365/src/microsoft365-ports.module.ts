import { Global, Module } from '@nestjs/common';
import { SenderGroups } from '@sealpost/encryption';
import { MailboxReplies } from '@sealpost/messaging';
import { M365SenderGroups } from './directory/m365-sender-groups';
import { Microsoft365Module } from './microsoft365.module';
import { M365MailboxReplies } from './replies/m365-mailbox-replies';

/**
 * Binds the ports libs/messaging and libs/encryption leave open: the sender's groups for
 * group rules (delivery), and the sender's Inbox for portal replies. Global so that those
 * libraries' modules find the bindings without importing a connector; import it once per
 * process.
 */
@Global()
@Module({
  imports: [Microsoft365Module],
  providers: [
    { provide: SenderGroups, useClass: M365SenderGroups },
    { provide: MailboxReplies, useClass: M365MailboxReplies },
  ],
  exports: [SenderGroups, MailboxReplies],
})
export class Microsoft365PortsModule {}
