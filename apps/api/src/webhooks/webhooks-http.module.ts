import { Module } from '@nestjs/common';
import { WebhooksModule } from '@sealpost/audit';
import { WebhooksController } from './webhooks.controller';

@Module({
  imports: [WebhooksModule],
  controllers: [WebhooksController],
})
export class WebhooksHttpModule {}
