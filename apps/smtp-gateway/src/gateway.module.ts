import { type DynamicModule, Module } from '@nestjs/common';
import { CoreModule, loggerParams, type SealpostConfig } from '@sealpost/core';
import {
  BouncesModule,
  GatewayAccessService,
  GatewayReceipts,
  GatewayReceiptsPruner,
  InboundBounceHandler,
  MESSAGING_ENTITIES,
  MessagingModule,
  ReceiveBounceUseCase,
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
        BouncesModule,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: gateway },
        // Mail to our return paths (VERP) is a bounce notice, recorded by the bounces feature.
        { provide: InboundBounceHandler, useExisting: ReceiveBounceUseCase },
        GatewayAccessService,
        GatewayReceipts,
        GatewayReceiptsPruner,
        SenderAccess,
        MessageIntake,
        SmtpGatewayServer,
      ],
    };
  }
}
