import { Module } from '@nestjs/common';
import { Microsoft365Module, Microsoft365SenderGroupsModule } from '@sealpost/microsoft365';
import { GraphNotificationsController } from './graph-notifications.controller';
import { Microsoft365Controller } from './microsoft365.controller';

@Module({
  imports: [Microsoft365Module, Microsoft365SenderGroupsModule],
  controllers: [Microsoft365Controller, GraphNotificationsController],
})
export class Microsoft365HttpModule {}
