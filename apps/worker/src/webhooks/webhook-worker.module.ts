import { Module } from '@nestjs/common';
import { WebhookDeliveryModule } from '@sealpost/audit';
import { WebhookProcessor } from './webhook.processor';

/** Outbound webhooks: the dispatcher (due deliveries to Bull) and the attempt processor. */
@Module({
  imports: [WebhookDeliveryModule],
  providers: [WebhookProcessor],
})
export class WebhookWorkerModule {}
