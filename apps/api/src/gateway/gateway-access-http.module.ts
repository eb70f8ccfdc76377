import { Module } from '@nestjs/common';
import { GatewayAccessService } from '@sealpost/messaging';
import { GatewayAccessController } from './gateway-access.controller';

@Module({
  providers: [GatewayAccessService],
  controllers: [GatewayAccessController],
})
export class GatewayAccessHttpModule {}
