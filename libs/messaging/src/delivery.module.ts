import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { DeliverRecipientUseCase } from './delivery/deliver-recipient.use-case';
import { DeliveryRecorder } from './delivery/delivery-recorder';
import { DnsResolverPort, SystemDnsResolver } from './delivery/dns-resolver.port';
import { RouteResolver } from './delivery/route-resolver';
import { SmtpConnectionPool } from './delivery/smtp-connection-pool';
import { IdempotencyKeyPruner } from './messages/idempotency-key-pruner.service';
import { DELIVERY_QUEUE } from './messaging.constants';
import { OutboxRelay } from './outbox/outbox-relay.service';

/** Relaying the outbox and delivering: what the worker needs. */
@Module({
  imports: [BullModule.registerQueue({ name: DELIVERY_QUEUE })],
  providers: [
    OutboxRelay,
    IdempotencyKeyPruner,
    DeliveryRecorder,
    RouteResolver,
    SmtpConnectionPool,
    DeliverRecipientUseCase,
    { provide: DnsResolverPort, useClass: SystemDnsResolver },
  ],
  exports: [BullModule, DeliverRecipientUseCase, OutboxRelay],
})
export class DeliveryModule {}
