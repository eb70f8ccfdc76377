import { type ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { CoreModule, type SealpostConfig } from '@sealpost/core';
import { DeliverBatchUseCase } from '../delivery/deliver-batch.use-case';
import { DeliverRecipientUseCase } from '../delivery/deliver-recipient.use-case';
import { DeliveryRecorder } from '../delivery/delivery-recorder';
import { DnsResolverPort, type MxRecord } from '../delivery/dns-resolver.port';
import { SmtpConnectionPool } from '../delivery/smtp-connection-pool';
import { MESSAGING_ENTITIES } from '../index';
import { MessagingModule } from '../messaging.module';
import { ProtectionModule } from '../protection.module';

/** Every domain in these specs is routed by the transport map; a DNS lookup would be a bug. */
export class NoDns extends DnsResolverPort {
  resolveMx(domain: string): Promise<MxRecord[]> {
    return Promise.reject(new Error(`unexpected MX lookup for ${domain}`));
  }
}

/**
 * Accepting and delivering on real PostgreSQL and SMTP peers: everything real except DNS,
 * which the transport map makes unnecessary. `extra` adds the modules and providers a spec
 * exercises beside delivery; the caller may override more before compiling.
 */
export function deliveryTestModule(
  config: SealpostConfig,
  extra: Pick<ModuleMetadata, 'imports' | 'providers'> = {},
): TestingModuleBuilder {
  return Test.createTestingModule({
    imports: [
      CoreModule.forRoot(config, MESSAGING_ENTITIES),
      MessagingModule,
      ProtectionModule,
      ...(extra.imports ?? []),
    ],
    providers: [
      DeliverBatchUseCase,
      DeliverRecipientUseCase,
      DeliveryRecorder,
      SmtpConnectionPool,
      ...(extra.providers ?? []),
    ],
  })
    .overrideProvider(DnsResolverPort)
    .useClass(NoDns);
}
