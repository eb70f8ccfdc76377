import { Global, Module } from '@nestjs/common';
import { MailboxReplies } from '@sealpost/messaging';
import { Microsoft365Module } from './microsoft365.module';
import { M365MailboxReplies } from './replies/m365-mailbox-replies';

/**
 * Binds the port libs/messaging leaves open for portal replies: the sender's Inbox. Global so
 * that the library's modules find the binding without importing a connector; import it once
 * per process. (Group rules combine several directories: see each app's SenderGroupsModule.)
 */
@Global()
@Module({
  imports: [Microsoft365Module],
  providers: [{ provide: MailboxReplies, useClass: M365MailboxReplies }],
  exports: [MailboxReplies],
})
export class Microsoft365PortsModule {}
