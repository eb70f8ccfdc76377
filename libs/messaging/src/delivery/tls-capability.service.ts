import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { assessTls, MtaStsResolverService, TlsProbeService } from '@sealpost/encryption';
import { type Route } from './route-resolver';

export interface TlsCapability {
  usable: boolean;
  reasons: string[];
  /** The first server offers REQUIRETLS, so a TLS delivery asks it to keep TLS onward. */
  requireTls?: boolean;
}

/**
 * Whether a recipient domain can receive by verified TLS now: the first server of its route
 * is probed (cached), and for MX routes the domain's MTA-STS policy must list that server
 * when it is in enforce mode.
 */
@Injectable()
export class TlsCapabilityService {
  constructor(
    private readonly probe: TlsProbeService,
    private readonly mtaSts: MtaStsResolverService,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  async assess(domain: string, route: Route): Promise<TlsCapability> {
    const [hop] = route.hops;
    if (!hop) {
      return { usable: false, reasons: ['no mail server for the domain'] };
    }
    if (hop.implicitTls) {
      // An smtps relay is TLS from the first byte; delivery itself verifies its certificate.
      return { usable: true, reasons: [`relay ${hop.host} uses implicit TLS`] };
    }
    const [probe, mtaSts] = await Promise.all([
      this.probe.probe(hop.host, hop.port, {
        servername: isIP(hop.servername) ? undefined : hop.servername,
        extraCaPem: this.config.delivery.extraCaPem,
      }),
      route.via === 'mx' ? this.mtaSts.resolve(domain) : Promise.resolve({ kind: 'none' as const }),
    ]);
    return assessTls(probe, mtaSts, hop.host);
  }
}
