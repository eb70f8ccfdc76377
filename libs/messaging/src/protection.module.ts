import { Module } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import {
  Clock,
  EncryptionModule,
  MTA_STS_HTTPS_OPTIONS,
  MtaStsDnsPort,
  MtaStsHttpsPort,
  MtaStsResolverService,
  NodeMtaStsHttps,
  SystemClock,
  SystemMtaStsDns,
  TLS_PROBE_OPTIONS,
  TlsProbeService,
} from '@sealpost/encryption';
import { VerpIssuingModule } from './bounces/verp-issuing.module';
import { DnsResolverPort, SystemDnsResolver } from './delivery/dns-resolver.port';
import { ProtectionPlanner } from './delivery/protection-planner';
import { RouteResolver } from './delivery/route-resolver';
import { TlsCapabilityService } from './delivery/tls-capability.service';
import { PortalIssuingModule } from './portal/portal-issuing.module';
import { TrackingIssuingModule } from './tracking/tracking-issuing.module';

/**
 * Deciding per recipient how a message must travel, issuing the portal link when that is the
 * way, decorating HTML copies for tracking, and each copy's return path: used by delivery and
 * by the preview.
 */
@Module({
  imports: [EncryptionModule, PortalIssuingModule, TrackingIssuingModule, VerpIssuingModule],
  providers: [
    ProtectionPlanner,
    RouteResolver,
    TlsCapabilityService,
    TlsProbeService,
    MtaStsResolverService,
    { provide: Clock, useClass: SystemClock },
    { provide: DnsResolverPort, useClass: SystemDnsResolver },
    { provide: MtaStsDnsPort, useClass: SystemMtaStsDns },
    { provide: MtaStsHttpsPort, useClass: NodeMtaStsHttps },
    {
      provide: TLS_PROBE_OPTIONS,
      inject: [SEALPOST_CONFIG],
      useFactory: (config: SealpostConfig) => ({ ehloName: config.delivery.ehloName }),
    },
    {
      provide: MTA_STS_HTTPS_OPTIONS,
      inject: [SEALPOST_CONFIG],
      useFactory: (config: SealpostConfig) => ({ extraCaPem: config.delivery.extraCaPem }),
    },
  ],
  exports: [
    ProtectionPlanner,
    RouteResolver,
    EncryptionModule,
    PortalIssuingModule,
    TrackingIssuingModule,
    VerpIssuingModule,
  ],
})
export class ProtectionModule {}
