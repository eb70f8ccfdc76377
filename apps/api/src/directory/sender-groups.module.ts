import { Global, Module } from '@nestjs/common';
import { combinedSenderGroupsProvider, SenderGroups } from '@sealpost/encryption';
import { GoogleSenderGroups, GoogleWorkspaceAdminModule } from '@sealpost/google-workspace';
import { M365SenderGroups, Microsoft365Module } from '@sealpost/microsoft365';

/**
 * Group rules of the encryption policy see the sender's groups in every synced directory.
 * Global, so the policy preview's planner finds the binding.
 */
@Global()
@Module({
  imports: [Microsoft365Module, GoogleWorkspaceAdminModule],
  providers: [combinedSenderGroupsProvider(M365SenderGroups, GoogleSenderGroups)],
  exports: [SenderGroups],
})
export class SenderGroupsModule {}
