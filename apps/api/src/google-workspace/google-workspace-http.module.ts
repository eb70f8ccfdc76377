import { Module } from '@nestjs/common';
import { GoogleWorkspaceAdminModule } from '@sealpost/google-workspace';
import { GooglePubsubController } from './google-pubsub.controller';
import { GoogleWorkspaceController } from './google-workspace.controller';

/**
 * The Google Workspace connection, its status and Pub/Sub pushes. Syncs go to the worker
 * through Bull (the Redis connection ReportsHttpModule opens for the api).
 */
@Module({
  imports: [GoogleWorkspaceAdminModule],
  controllers: [GoogleWorkspaceController, GooglePubsubController],
})
export class GoogleWorkspaceHttpModule {}
