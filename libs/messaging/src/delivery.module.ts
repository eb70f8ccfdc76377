import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { DeliverBatchUseCase } from './delivery/deliver-batch.use-case';
import { DeliverRecipientUseCase } from './delivery/deliver-recipient.use-case';
import { DeliveryRecorder } from './delivery/delivery-recorder';
import { SmtpConnectionPool } from './delivery/smtp-connection-pool';
import { IdempotencyKeyPruner } from './messages/idempotency-key-pruner.service';
import { DELIVERY_QUEUE } from './messaging.constants';
import { OutboxRelay } from './outbox/outbox-relay.service';
import { ProtectionModule } from './protection.module';

/** Relaying the outbox and delivering: what the worker needs. */
@Module({
  imports: [BullModule.registerQueue({ name: DELIVERY_QUEUE }), ProtectionModule],
  providers: [
    OutboxRelay,
    IdempotencyKeyPruner,
    DeliveryRecorder,
    SmtpConnectionPool,
    DeliverRecipientUseCase,
    DeliverBatchUseCase,
  ],
  exports: [BullModule, DeliverBatchUseCase, OutboxRelay],
})
export class DeliveryModule {}
