import { Module } from '@nestjs/common';
import { Microsoft365Module, Microsoft365PortsModule } from '@sealpost/microsoft365';
import { GraphNotificationsController } from './graph-notifications.controller';
import { Microsoft365Controller } from './microsoft365.controller';

@Module({
  imports: [Microsoft365Module, Microsoft365PortsModule],
  controllers: [Microsoft365Controller, GraphNotificationsController],
})
export class Microsoft365HttpModule {}
