import { Module } from '@nestjs/common';
import { GoogleWorkspaceSyncModule } from '@sealpost/google-workspace';
import { GoogleWorkspaceProcessor } from './google-workspace.processor';

/** Google Workspace: directory sync, Gmail watches and SENT history checks. */
@Module({
  imports: [GoogleWorkspaceSyncModule],
  providers: [GoogleWorkspaceProcessor],
})
export class GoogleWorkspaceWorkerModule {}
