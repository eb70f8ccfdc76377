import { Global, Module } from '@nestjs/common';
import { combinedSenderGroupsProvider, SenderGroups } from '@sealpost/encryption';
import { GoogleSenderGroups, GoogleWorkspaceSyncModule } from '@sealpost/google-workspace';
import { M365SenderGroups, Microsoft365Module } from '@sealpost/microsoft365';

/** Group rules at delivery see the sender's groups in every synced directory. */
@Global()
@Module({
  imports: [Microsoft365Module, GoogleWorkspaceSyncModule],
  providers: [combinedSenderGroupsProvider(M365SenderGroups, GoogleSenderGroups)],
  exports: [SenderGroups],
})
export class SenderGroupsModule {}
