import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { Clock, SystemClock } from '@sealpost/encryption';
import { DeliverWebhookUseCase } from './deliver-webhook.use-case';
import {
  SystemWebhookAddressResolver,
  WebhookAddressResolver,
} from './webhook-address-resolver.port';
import { WebhookAttemptsService } from './webhook-attempts.service';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookHttpSender } from './webhook-http-sender';
import { WEBHOOK_QUEUE } from './webhook-job';
import { WebhookUrlGuard } from './webhook-url-guard';

const SHARED_PROVIDERS = [
  { provide: Clock, useClass: SystemClock },
  { provide: WebhookAddressResolver, useClass: SystemWebhookAddressResolver },
  WebhookUrlGuard,
  WebhookEndpointsService,
];

/** The admin side: endpoints, secrets, the attempts log and replay (the api uses it). */
@Module({
  providers: [...SHARED_PROVIDERS, WebhookAttemptsService],
  exports: [WebhookEndpointsService, WebhookAttemptsService],
})
export class WebhooksModule {}

/** The sending side: the dispatcher and one attempt at a time (the worker uses it). */
@Module({
  imports: [BullModule.registerQueue({ name: WEBHOOK_QUEUE })],
  providers: [...SHARED_PROVIDERS, WebhookHttpSender, DeliverWebhookUseCase, WebhookDispatcher],
  exports: [DeliverWebhookUseCase, WebhookDispatcher, BullModule],
})
export class WebhookDeliveryModule {}
