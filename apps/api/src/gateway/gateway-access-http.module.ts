import { Module } from '@nestjs/common';
import { GatewayAccessService, GatewayStatusService } from '@sealpost/messaging';
import { GatewayAccessController } from './gateway-access.controller';

@Module({
  providers: [GatewayAccessService, GatewayStatusService],
  exports: [GatewayStatusService],
  controllers: [GatewayAccessController],
})
export class GatewayAccessHttpModule {}
