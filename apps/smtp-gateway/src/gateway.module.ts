import { type DynamicModule, Module } from '@nestjs/common';
import { CoreModule, loggerParams, type SealpostConfig } from '@sealpost/core';
import {
  GatewayAccessService,
  InboundBounceHandler,
  MESSAGING_ENTITIES,
  MessagingModule,
  RefuseInboundBounces,
} from '@sealpost/messaging';
import { LoggerModule } from 'nestjs-pino';
import { type GatewayConfig } from './config/gateway-config';
import { GATEWAY_CONFIG } from './config/gateway-config.token';
import { MessageIntake } from './smtp/message-intake';
import { SenderAccess } from './smtp/sender-access';
import { SmtpGatewayServer } from './smtp/smtp-gateway.server';

@Module({})
export class GatewayModule {
  static forRoot(config: SealpostConfig, gateway: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        LoggerModule.forRoot(loggerParams(config.logging, 'smtp-gateway')),
        CoreModule.forRoot(config, MESSAGING_ENTITIES),
        MessagingModule,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: gateway },
        // The seam for the bounces feature: bind its handler here and mail to our return
        // paths is recorded; by default it is refused like any relaying attempt.
        { provide: InboundBounceHandler, useClass: RefuseInboundBounces },
        GatewayAccessService,
        SenderAccess,
        MessageIntake,
        SmtpGatewayServer,
      ],
    };
  }
}
